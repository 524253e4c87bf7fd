"""hypothesis-graphql against the gateway's schema (``gateway/schema.graphql``): for every root
field of ``Query`` and ``Mutation``, ``EXAMPLES`` documents that the schema validates (positive)
and, where the field takes arguments, ``EXAMPLES`` that break it in one place (negative: a wrong
argument type, a missing required argument, an unknown enum value), each as the admin or the
mentee (Hypothesis draws which, derandomized: a run sends the same documents every time). Ids
name the seeded program, participants and match part of the time; dates are of any year. The
documents go over HTTP to the gateway, which calls the three services in-process; the services
run on the real MongoDB server and Kafka broker.

Each answer: no HTTP 5xx, a JSON body, and every error in ``errors`` carries an
``extensions.code`` that says what the client did or may do (``CLIENT_CODES``), never
``INTERNAL_SERVER_ERROR``, nor ``SERVICE_UNAVAILABLE`` or ``TIMEOUT`` (the services are up: those
would mean a service answered 5xx or hung), nor ``RATE_LIMITED`` (the fuzzing gateway has no cost
budget)."""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from .conftest import CALLERS, FuzzPlatform

# aiokafka, on the event loop thread, uses `random` while Hypothesis generates in another thread;
# Hypothesis blames its strategies
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

EXAMPLES = int(os.environ.get("MENTORSHIP_FUZZ_GRAPHQL_EXAMPLES", "20"))  # per root field, mode
SCHEMA = graphql.build_schema(
    (Path(__file__).parents[2] / "gateway" / "schema.graphql").read_text()
)
CLIENT_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "BAD_REQUEST",
        "QUERY_TOO_COMPLEX",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
    }
)


def scalars(platform: FuzzPlatform) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Dates of any year and of these years; ids that name seeded things as well as any text;
    an upload as the text a JSON request can put there (a file only comes in a multipart
    request)."""
    seeded = sorted(
        {
            id_
            for param in ("program_id", "participant_id", "match_id")
            for id_ in platform.known[param]
        }
    )
    return {
        "Date": st.one_of(st.dates(), st.dates(date(2020, 1, 1), date(2030, 12, 31))).map(
            lambda d: nodes.String(d.isoformat())
        ),
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
        "ID": st.one_of(st.sampled_from(seeded), st.text()).map(nodes.String),
        "Upload": st.text().map(nodes.String),
    }


def root_fields(kind: str) -> dict[str, graphql.GraphQLField]:
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    return dict(sorted(root.fields.items()))


@dataclass
class Findings:
    codes: Counter[str] = field(default_factory=Counter)
    clean: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    """The first example of each kind of failure."""

    def fail(self, kind: str, caller: str, document: str, answer: str) -> None:
        if kind not in self.failures:
            self.failures[kind] = f"{kind}\n[{caller}]\n{document}\n-> {answer[:2000]}"


def errors_of(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e if isinstance(e, dict) else {"message": repr(e)} for e in errors or []]


def problems_in(status: int, body: Any) -> list[str]:
    """What is wrong with one answer of the gateway, each as a short kind of failure."""
    if status >= 500:
        return [f"HTTP {status}"]
    if not isinstance(body, dict):
        return ["an answer that is not a JSON object"]
    found = []
    for error in errors_of(body):
        code = (error.get("extensions") or {}).get("code")
        if code not in CLIENT_CODES:
            found.append(f"error code {code} on {error.get('path')}: {error.get('message')}")
    return found


def fuzz_field(
    platform: FuzzPlatform, kind: str, name: str, mode: Mode, findings: Findings
) -> None:
    build = queries if kind == "query" else mutations
    documents = build(SCHEMA, fields=[name], custom_scalars=scalars(platform), mode=mode)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # every failure is collected, none shrunk
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents, caller=st.sampled_from(sorted(CALLERS)))
    def fuzz(document: str, caller: str) -> None:
        headers = {"Authorization": f"Bearer {platform.tokens[caller]}"}
        response = platform.run(
            platform.gateway.post("/graphql", json={"query": document}, headers=headers)
        )
        try:
            body = response.json()
        except json.JSONDecodeError:
            body = None
        for error in errors_of(body):
            findings.codes[str((error.get("extensions") or {}).get("code"))] += 1
        findings.clean += not errors_of(body)
        for problem in problems_in(response.status_code, body):
            findings.fail(f"{kind} {name}: {problem}", caller, document, response.text)

    fuzz()


@pytest.mark.parametrize("kind", ["query", "mutation"])
async def test_generated_operations_get_answers_with_client_error_codes_only(
    fuzz_platform: FuzzPlatform, kind: str
) -> None:
    findings = Findings()
    started = datetime.now(UTC)
    for name, root_field in root_fields(kind).items():
        # a field without arguments has nothing to get wrong
        for mode in (Mode.POSITIVE, Mode.NEGATIVE) if root_field.args else (Mode.POSITIVE,):
            await asyncio.to_thread(fuzz_field, fuzz_platform, kind, name, mode, findings)
    print(f"[graphql {kind}] {datetime.now(UTC) - started}, codes {dict(findings.codes)}")
    print(f"[graphql {kind}] answers without errors: {findings.clean}")
    if findings.failures:
        failures = "\n\n".join(findings.failures.values())
        pytest.fail(f"{len(findings.failures)} kinds of failure:\n\n{failures}", pytrace=False)
    assert findings.codes["GRAPHQL_VALIDATION_FAILED"], "no negative document was refused"
