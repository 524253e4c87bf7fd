"""Schemathesis against each service's OpenAPI document (read from the app, ``app.openapi()``):
every operation gets ``EXAMPLES`` generated requests that fit the document (positive) and, where
the document leaves something to break besides the token, ``EXAMPLES`` that break it in one
place (negative). Each is sent as the admin or as the mentee (Hypothesis draws which; generation
is derandomized, so a run sends the same requests every time). Positive requests whose path
names things use the seeded ids half the time, to get past the look-ups. Requests go in-process
over ASGI to the service, on the real MongoDB server and Kafka broker.

The checks (``CHECKS``) and why:
- ``not_a_server_error`` and no unhandled exception: the point. A 503 fails too (the database
  and the broker are up, so "unavailable" would be a lie).
- ``declared_or_platform_status`` instead of schemathesis's ``status_code_conformance``: the
  documents declare each operation's success and 422 only, not the 400/401/403/404/409/413 that
  every route may answer (``mentorship_runtime.errors``); any other status is a failure.
- ``content_type_conformance`` and ``response_schema_conformance``: the media type and the body
  that the document declares for the status (success and 422), as the gateway reads them.
- ``errors_say_what_is_wrong``: every 4xx is a JSON object with a ``detail``.
- ``invalid_bodies_are_refused``: schemathesis's ``negative_data_rejection``, for requests whose
  one violation is in the JSON body.
- the token is enforced (schemathesis's ``ignored_auth``, done here): the first success of each
  operation is sent again without a token and with a forged one, and both get a 401.
Left out: ``positive_data_acceptance`` (valid requests are refused by the rules of the domain:
ids that do not exist, a mentee acting as an admin), ``response_headers_conformance`` (no
headers declared), and the checks that send requests of their own or need stateful or coverage
phases (``ignored_auth`` as such, ``missing_required_header``, ``unsupported_method``,
``use_after_free``): schemathesis would send them through its own ASGI client, on another event
loop than the services' connections."""

from __future__ import annotations

import asyncio
import itertools
import os
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from .conftest import CALLERS, SERVICES, FuzzPlatform

# aiokafka, on the event loop thread, uses `random` while Hypothesis generates in another thread;
# Hypothesis blames its strategies
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

Operation: TypeAlias = APIOperation[Any, Any, Any, Any]
AnyCase: TypeAlias = Case[Any]
EXAMPLES = int(os.environ.get("MENTORSHIP_FUZZ_EXAMPLES", "20"))  # per operation and mode
PROBES = ("/healthz", "/readyz")  # not fuzzed: their 503 says the infrastructure is down
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 422})
"""What ``mentorship_runtime.errors`` and the HTTP edge answer besides the declared statuses: the
documents declare only each operation's success and 422."""


def declared_or_platform_status(_: CheckContext, response: Response, case: AnyCase) -> None:
    declared = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    status = response.status_code
    assert status in declared | ERROR_STATUSES, (
        f"{status} is neither declared ({sorted(declared)}) nor one of the platform's errors"
    )


def errors_say_what_is_wrong(_: CheckContext, response: Response, case: AnyCase) -> None:
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict), f"a {response.status_code} whose body is not an object"
        assert body.get("detail"), f"a {response.status_code} that does not say what is wrong"


def invalid_bodies_are_refused(ctx: CheckContext, response: Response, case: AnyCase) -> None:
    """Schemathesis's ``negative_data_rejection``, for requests whose one violation is in the
    JSON body. Query, header and path values are text on the wire, where many violations read
    back as valid (a repeated scalar parameter: the last one counts)."""
    data = case.meta.phase.data if case.meta is not None else None
    if getattr(data, "parameter_location", None) is ParameterLocation.BODY:
        negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    declared_or_platform_status,
    content_type_conformance,
    response_schema_conformance,
    errors_say_what_is_wrong,
    invalid_bodies_are_refused,
]


def shorten(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more)"


@dataclass
class Findings:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    token_checked: set[str] = field(default_factory=set)
    """Operations whose success was sent again without a valid token."""
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    """The first example of each kind of failure, by operation and its first line."""

    def fail(self, case: AnyCase, caller: str, message: str) -> None:
        first_line = message.strip().splitlines()[0] if message.strip() else "?"
        key = (case.operation.label, first_line)
        if key not in self.failures:
            self.failures[key] = f"[{caller}] {case.operation.label}\n{message}"

    def report(self) -> str:
        return f"{len(self.failures)} kinds of failure:\n\n" + "\n\n".join(self.failures.values())


def _httpx_kwargs(case: AnyCase, base_url: str) -> dict[str, Any]:
    """The request schemathesis would send (it prepares for ``requests``), for httpx."""
    prepared = case.as_transport_kwargs(base_url=base_url)
    kwargs: dict[str, Any] = {
        "method": prepared.pop("method"),
        "url": prepared.pop("url"),
        "headers": dict(prepared.pop("headers") or {}),
        "params": prepared.pop("params") or None,
    }
    cookies = prepared.pop("cookies", None)
    if cookies:
        kwargs["headers"]["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if "json" in prepared:
        kwargs["json"] = prepared.pop("json")
    if "data" in prepared:
        data = prepared.pop("data")
        kwargs["content" if isinstance(data, str | bytes) else "data"] = data
    assert not prepared, f"request parts not sent: {sorted(prepared)}"
    return kwargs


def _strategy(
    operation: Operation, mode: GenerationMode, platform: FuzzPlatform
) -> st.SearchStrategy[tuple[str, AnyCase]]:
    """Cases of ``operation`` in ``mode``, each with a caller's token (and the caller's name);
    positive ones name seeded things in their path half the time, where the path names any."""
    names = [p.name for p in operation.path_parameters]
    seedable = mode is GenerationMode.POSITIVE and bool(names)
    seedable = seedable and all(name in platform.known for name in names)
    paths = (
        [
            dict(zip(names, values, strict=True))
            for values in itertools.product(*(platform.known[name] for name in names))
        ]
        if seedable
        else []
    )
    generated: dict[str, st.SearchStrategy[AnyCase]] = {}
    seeded: dict[str, st.SearchStrategy[AnyCase]] = {}
    for caller, token in platform.tokens.items():
        headers = {"Authorization": f"Bearer {token}"}
        generated[caller] = operation.as_strategy(generation_mode=mode, headers=headers)
        if seedable:
            seeded[caller] = st.one_of(
                [
                    operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=p)
                    for p in paths
                ]
            )

    @st.composite
    def cases(draw: st.DrawFn) -> tuple[str, AnyCase]:
        caller = draw(st.sampled_from(sorted(platform.tokens)))
        use_seeded = seedable and draw(st.booleans())
        return caller, draw((seeded if use_seeded else generated)[caller])

    return cases()


def secured(operation: Operation) -> bool:
    return any(p.definition.get("x-original-security-type") for p in operation.iter_parameters())


def with_authorization(request: httpx.Request, authorization: str | None) -> httpx.Request:
    """``request`` again, with another ``Authorization`` header or none."""
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.Request(request.method, request.url, headers=headers, content=request.content)


def negatable(operation: Operation) -> bool:
    """Whether a request can break the document in one place besides its token: it has a body,
    or a parameter that not every string satisfies (a path segment of any text has none)."""
    if len(operation.body):
        return True
    for parameter in operation.iter_parameters():
        if parameter.definition.get("x-original-security-type"):
            continue  # the token: always a valid one here
        schema = parameter.definition.get("schema", {})
        constraints = {k: v for k, v in schema.items() if k not in ("title", "description")}
        if constraints != {"type": "string"}:
            return True
    return False


def fuzz_operation(
    platform: FuzzPlatform, service: str, operation: Operation, findings: Findings
) -> None:
    """Send ``EXAMPLES`` positive requests and, if the operation is ``negatable``, ``EXAMPLES``
    negative ones; record what fails in ``findings``."""
    http = platform.services[service].http
    base_url = f"http://{service}"

    def send(caller: str, case: AnyCase) -> None:
        try:
            request = http.build_request(**_httpx_kwargs(case, base_url))
        except httpx.InvalidURL:
            # longer than any HTTP server reads (httpx stops at 64 kB): not a request to send
            reject()
        try:
            response = platform.run(http.send(request))
        except Exception as exc:  # the app raised (a client would have had a 500) or hung
            findings.fail(
                case,
                caller,
                "unhandled exception or no answer\n"
                + shorten(case.as_curl_command(base_url=base_url))
                + "\n"
                + "".join(traceback.format_exception(exc)),
            )
            return
        findings.statuses[(caller, response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            findings.fail(case, caller, shorten(str(failures), 3000))
        if (
            response.is_success
            and secured(operation)
            and operation.label not in findings.token_checked
        ):
            findings.token_checked.add(operation.label)
            check_token_is_enforced(caller, case, request)

    def check_token_is_enforced(caller: str, case: AnyCase, request: httpx.Request) -> None:
        for without, authorization in (
            ("no token", None),
            ("a forged token", f"Bearer {platform.forged_token}"),
        ):
            answer = platform.run(http.send(with_authorization(request, authorization)))
            if answer.status_code != 401:
                findings.fail(
                    case,
                    caller,
                    f"{answer.status_code}, not 401, with {without}: {shorten(answer.text, 300)}\n"
                    + shorten(case.as_curl_command(base_url=base_url)),
                )

    modes = [GenerationMode.POSITIVE]
    if negatable(operation):
        modes.append(GenerationMode.NEGATIVE)
    for mode in modes:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],  # every failure is collected, none shrunk
            suppress_health_check=list(HealthCheck),
        )
        @given(_strategy(operation, mode, platform))
        def fuzz(generated: tuple[str, AnyCase]) -> None:
            send(*generated)

        fuzz()


def operations(service: str, platform: FuzzPlatform) -> list[Operation]:
    app = platform.services[service].app
    schema = schemathesis.openapi.from_dict(app.openapi())
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"schemathesis cannot read an operation: {result.err()}"
        found.append(result.ok())
    return [op for op in found if op.path not in PROBES]


@pytest.mark.parametrize("service", SERVICES)
async def test_no_generated_request_gets_a_5xx_or_an_undocumented_answer(
    fuzz_platform: FuzzPlatform, service: str
) -> None:
    findings = Findings()
    for operation in operations(service, fuzz_platform):
        await asyncio.to_thread(fuzz_operation, fuzz_platform, service, operation, findings)
    print(f"[schemathesis {service}] {dict(sorted(findings.statuses.items()))}")
    if findings.failures:
        pytest.fail(findings.report(), pytrace=False)
    # the tokens work and the seeded ids lead somewhere: both callers get answers that succeed
    for caller in CALLERS:
        assert any(who == caller and s < 300 for who, s in findings.statuses), findings.statuses
    assert findings.token_checked, "no success was sent again without a valid token"
