"""importParticipants through the gateway, on the real services: a file of 5,000 rows with 200
broken ones, re-imports, a manager defined further down, dry runs, hostile files, and who may."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document

from .conftest import ADA, ADMIN, CREATE_PROGRAM, GRACE, Platform, add_program_admin

OTHER_ADMIN = ("u-other-admin", ("admin",))
CO_ADMIN = ("u-co-admin", ("admin",))

IMPORT = """
mutation($program: ID!, $file: Upload!, $dryRun: Boolean) {
  importParticipants(programId: $program, file: $file, dryRun: $dryRun) {
    __typename
    ... on ImportReport {
      programId dryRun rows created updated unchanged refusedCount
      refused { line column reason }
    }
    ... on ValidationError { message problems { path message } }
    ... on MutationError { message }
  }
}"""

HEADER = (
    "external_id,email,name,role,languages,timezone,department,manager,competencies,goals,"
    "capacity\n"
)


async def upload(
    platform: Platform,
    who: tuple[str, tuple[str, ...]] | None,
    program: str,
    content: bytes,
    *,
    dry_run: bool = False,
    preflight: bool = True,
) -> httpx.Response:
    operations = {
        "query": IMPORT,
        "variables": {"program": program, "file": None, "dryRun": dry_run},
    }
    headers = {"Apollo-Require-Preflight": "true"} if preflight else {}
    if who is not None:
        headers["Authorization"] = f"Bearer {platform.token(who[0], *who[1])}"
    return await platform.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("people.csv", content, "text/csv")},
        headers=headers,
        timeout=900,
    )


async def imported(
    platform: Platform, program: str, content: bytes, *, dry_run: bool = False, who: Any = ADMIN
) -> dict[str, Any]:
    response = await upload(platform, who, program, content, dry_run=dry_run)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["importParticipants"]
    return answer


async def new_program(platform: Platform, name: str = "Import") -> str:
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name=name))["createProgram"]
    assert created["__typename"] == "Program", created
    return str(created["id"])


def mentoring_db(client: AsyncMongoClient[Document], db: AsyncDatabase[Document]) -> Any:
    return client[f"{db.name}_m"]


def row(i: int, **cells: str) -> str:
    values = {
        "external_id": f"e{i:05d}",
        "email": f"p{i:05d}@example.org",
        "name": f"Person {i}",
        "role": "mentor" if i % 10 == 1 else "mentee",
        "languages": "en;fr",
        "timezone": "Europe/Paris",
        "department": f"Dept {i % 7}",
        "manager": "",
        "competencies": "purpose:3;pitching:2",
        "goals": "finance:4",
        "capacity": "3" if i % 10 == 1 else "",
        **cells,
    }
    return ",".join(values[c] for c in HEADER.strip().split(",")) + "\n"


BROKEN: list[tuple[str, dict[str, str]]] = [
    ("email", {"email": "not-an-email"}),
    ("timezone", {"timezone": "Mars/Olympus"}),
    ("languages", {"languages": "english!"}),
    ("name", {"name": "=cmd|' /C calc'!A0"}),
    ("role", {"role": "boss"}),
    ("capacity", {"capacity": "lots"}),
    ("manager", {"manager": "ghost-99999"}),
    ("department", {"department": "Ops\x00"}),
    ("name", {"name": "J\udcffr"}),  # written as the byte 0xFF: not UTF-8
    ("competencies", {"competencies": "Python:3"}),
]
"""Ten ways of breaking a row, and the column the report must name."""


def big_file(total: int = 5000, every: int = 25) -> tuple[bytes, dict[int, str]]:
    """``total`` rows, every ``every``-th broken; some managers are rows further down."""
    lines = [HEADER]
    expected: dict[int, str] = {}
    for i in range(total):
        line = i + 2
        if i % every == 0:
            column, cells = BROKEN[(i // every) % len(BROKEN)]
            expected[line] = column
            lines.append(row(i, **cells))
            continue
        later = i + 501
        if i % 7 == 3 and later < total and later % every != 0:
            lines.append(row(i, manager=f"e{later:05d}"))
        else:
            lines.append(row(i))
    return "".join(lines).encode("utf-8", "surrogateescape"), expected


async def test_5000_rows_with_200_broken_import_4800_and_report_the_200(
    platform: Platform, mongo_client: AsyncMongoClient[Document], mongo_db: AsyncDatabase[Document]
) -> None:
    program = await new_program(platform)
    content, expected = big_file()
    assert len(expected) == 200
    report = await imported(platform, program, content)
    assert report["__typename"] == "ImportReport", report
    assert (report["rows"], report["created"], report["updated"], report["unchanged"]) == (
        5000,
        4800,
        0,
        0,
    )
    assert report["refusedCount"] == 200
    assert {r["line"]: r["column"] for r in report["refused"]} == expected
    assert all(r["reason"] for r in report["refused"])
    people = mentoring_db(mongo_client, mongo_db)["participants"]
    assert await people.count_documents({"program_id": program}) == 4800
    worker = await people.find_one({"external_id": "e00003"})
    manager = await people.find_one({"external_id": "e00504"})
    assert worker is not None
    assert manager is not None
    assert worker["manager_id"] == manager["_id"]


SMALL = (
    "External ID,E-mail,Name,Role,Manager,Department,Preferred mentors\n"
    "w1,worker@example.org,Wes Worker,mentee,boss@example.org,Ops,m1\n"
    "boss,boss@example.org,Bea Boss,mentee,big,Ops,\n"
    "big,big@example.org,Bob Big,mentee,,Board,\n"
    "m1,mentor@example.org,Mia Mentor,mentor,big,Ops,\n"
)


async def test_dry_run_then_import_then_reimport_then_a_changed_row(
    platform: Platform, mongo_client: AsyncMongoClient[Document], mongo_db: AsyncDatabase[Document]
) -> None:
    program = await new_program(platform)
    people = mentoring_db(mongo_client, mongo_db)["participants"]

    dry = await imported(platform, program, SMALL.encode(), dry_run=True)
    assert (dry["dryRun"], dry["created"], dry["refusedCount"]) == (True, 4, 0), dry
    assert await people.count_documents({"program_id": program}) == 0

    first = await imported(platform, program, SMALL.encode())
    assert (first["created"], first["updated"], first["unchanged"], first["refusedCount"]) == (
        4,
        0,
        0,
        0,
    ), first
    stored = {d["external_id"]: d async for d in people.find({"program_id": program})}
    assert stored["w1"]["manager_id"] == stored["boss"]["_id"]
    assert stored["boss"]["manager_id"] == stored["big"]["_id"]
    assert stored["w1"]["ranked_mentors"] == [stored["m1"]["_id"]]

    again = await imported(platform, program, SMALL.encode())
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4), again
    after = {d["external_id"]: d async for d in people.find({"program_id": program})}
    assert {k: d["version"] for k, d in after.items()} == {
        k: d["version"] for k, d in stored.items()
    }

    changed = SMALL.replace("Bea Boss,mentee,big,Ops", "Bea Boss,mentee,big,Sales")
    dry_change = await imported(platform, program, changed.encode(), dry_run=True)
    assert (dry_change["updated"], dry_change["unchanged"]) == (1, 3), dry_change
    update = await imported(platform, program, changed.encode())
    assert (update["created"], update["updated"], update["unchanged"]) == (0, 1, 3), update
    boss = await people.find_one({"external_id": "boss", "program_id": program})
    assert boss is not None
    assert boss["department"] == "Sales"
    assert boss["version"] == stored["boss"]["version"] + 1


async def test_who_may_import(
    platform: Platform, mongo_client: AsyncMongoClient[Document], mongo_db: AsyncDatabase[Document]
) -> None:
    program_a = await new_program(platform, "A")
    created_b = (await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="B"))["createProgram"]
    assert created_b["__typename"] == "Program"
    await add_program_admin(platform, ADMIN, program_a, CO_ADMIN[0], email="co@example.org")
    db = mentoring_db(mongo_client, mongo_db)
    file = b"external_id,email,name,role\nx1,x1@example.org,Xavi,mentee\n"
    for who in (ADMIN, CO_ADMIN):
        report = await imported(platform, program_a, file, who=who)
        assert report["__typename"] == "ImportReport", (who, report)
    for who in (OTHER_ADMIN, GRACE, ADA):
        refused = await imported(
            platform, program_a, b"external_id,email,name,role\ny,y@e.org,Y,mentee\n", who=who
        )
        assert refused["__typename"] == "Forbidden", (who, refused)
    anonymous = await upload(platform, None, program_a, file)
    body = anonymous.json()
    assert body["data"]["importParticipants"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await db["participants"].count_documents({"program_id": program_a}) == 1


async def test_files_that_cannot_be_read_say_why(platform: Platform) -> None:
    program = await new_program(platform)
    cases = {
        b"": "empty",
        "external_id,email,name,role\n".encode("utf-16"): "UTF-16",
        b"external_id;email;name;role\n": "commas",
        b"external_id,email,name,role,shoe_size\n": "shoe_size",
        b"external_id,email,name,role,Email\n": "twice",
        b"external_id,name,role\n": "email",
    }
    for content, said in cases.items():
        report = await imported(platform, program, content)
        assert report["__typename"] == "ValidationError", report
        assert report["problems"][0]["path"] == ["file"]
        assert said in report["problems"][0]["message"], report


async def test_hostile_rows_are_refused_one_by_one(platform: Platform) -> None:
    program = await new_program(platform)
    content = (
        b"\xef\xbb\xbfexternal_id,email,name,role\n"
        b"ok,ok@example.org,Okay,mentee\n"
        b"lone,lone@example.org,\xed\xa0\x80,mentee\n"
        b"long,long@example.org," + b"x" * 100_000 + b",mentee\n"
        b"cells,cells@example.org,Too,mentee,many\n"
        b"ok,again@example.org,Twice,mentee\n"
        b'quote,quote@example.org,"never closed,mentee\n'
    )
    report = await imported(platform, program, content)
    assert report["created"] == 1, report
    assert [(r["line"], r["column"]) for r in report["refused"]] == [
        (3, "name"),
        (4, None),
        (5, None),
        (6, "external_id"),
        (7, None),
    ]


async def test_uploads_need_a_preflight_header(platform: Platform) -> None:
    program = await new_program(platform)
    response = await upload(
        platform, ADMIN, program, b"external_id,email,name,role\n", preflight=False
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_the_documented_example_file_imports_whole(platform: Platform) -> None:
    example = Path(__file__).parents[3] / "docs" / "examples" / "participants.csv"
    program = await new_program(platform)
    report = await imported(platform, program, example.read_bytes())
    assert (report["created"], report["refusedCount"]) == (5, 0), report
