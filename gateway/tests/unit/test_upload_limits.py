"""A file upload has a size limit of its own, larger than a JSON body's, answered clearly; a
broken multipart request is a 4xx; a text where the file should be is a ValidationError."""

from __future__ import annotations

import json

from .conftest import running

IMPORT = """
mutation($file: Upload!) {
  importParticipants(programId: "pg_1", file: $file) { __typename }
}"""


def form(size: int) -> dict[str, object]:
    operations = {"query": IMPORT, "variables": {"file": None}}
    return {
        "data": {
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        "files": {"0": ("people.csv", b"x" * size, "text/csv")},
    }


async def test_an_upload_over_its_limit_is_refused_and_one_under_it_is_read() -> None:
    async with running(max_body_bytes=10_000, max_upload_bytes=50_000) as gateway:
        headers = {
            "Authorization": f"Bearer {gateway.token('u-admin', 'admin')}",
            "Apollo-Require-Preflight": "true",
        }
        big = await gateway.http.post("/graphql", headers=headers, **form(60_000))  # type: ignore[arg-type]
        assert big.status_code == 413
        error = big.json()["errors"][0]
        assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        assert "50000 bytes" in error["message"]

        gateway.services["mentoring"].route(
            "GET", "/programs/pg_1", {"id": "pg_1", "admin_ids": ["someone-else"]}
        )
        fits = await gateway.http.post("/graphql", headers=headers, **form(20_000))  # type: ignore[arg-type]
        assert fits.status_code == 200, fits.text
        assert fits.json()["data"]["importParticipants"]["__typename"] == "Forbidden"


async def test_a_json_body_keeps_its_own_limit() -> None:
    async with running(max_body_bytes=10_000, max_upload_bytes=50_000) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"query": "{ me { userId } }", "variables": {"x": "y" * 20_000}}
        )
        assert response.status_code == 413


async def test_broken_multipart_requests_get_a_4xx_and_a_text_is_no_file() -> None:
    async with running() as gateway:
        headers = {
            "Authorization": f"Bearer {gateway.token('u-admin', 'admin')}",
            "Apollo-Require-Preflight": "true",
        }
        garbage = await gateway.http.post(
            "/graphql",
            content=b"--x\r\nnot a part at all",
            headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
        )
        assert 400 <= garbage.status_code < 500, garbage.text
        operations = json.dumps({"query": IMPORT, "variables": {"file": None}})
        unmapped = await gateway.http.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"1": ("people.csv", b"x", "text/csv")},
            headers=headers,
        )
        assert unmapped.status_code == 400, unmapped.text
        not_json = await gateway.http.post(
            "/graphql",
            data={"operations": "{not json", "map": "{}"},
            files={"0": ("people.csv", b"x", "text/csv")},
            headers=headers,
        )
        assert not_json.status_code == 400, not_json.text
        gateway.services["mentoring"].route(
            "GET", "/programs/pg_1", {"id": "pg_1", "admin_ids": ["u-admin"]}
        )
        text = await gateway.http.post(
            "/graphql",
            json={
                "query": IMPORT,
                "variables": {"file": "people.csv"},
            },
            headers=headers,
        )
        answer = text.json()["data"]["importParticipants"]
        assert answer["__typename"] == "ValidationError", answer
