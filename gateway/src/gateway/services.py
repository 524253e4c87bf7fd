"""Calls to the services' internal HTTP APIs: one pooled client per service, every call counted.

A call either returns the decoded JSON body, or raises ``ServiceRejected`` (the service answered
4xx: the caller's mistake, turned into typed errors or field errors) or ``ServiceUnavailable``
(no answer, a timeout or a 5xx: the affected fields get an error, the rest of the query goes on).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import GraphQLError
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from prometheus_client import Counter as MetricCounter

from gateway.config import SERVICES, ServiceName, Settings
from mentorship_runtime.logging import get_logger

log = get_logger(__name__)

INTERNAL_CALLS = MetricCounter(
    "mentorship_gateway_internal_calls_total",
    "Calls from the gateway to the services, by service and outcome",
    ["service", "outcome"],
)


class ServiceUnavailable(Exception):
    def __init__(self, service: ServiceName, reason: str) -> None:
        self.service = service
        self.reason = reason
        super().__init__(f"the {service} service is unavailable: {reason}")


class ServiceRejected(Exception):
    def __init__(self, service: ServiceName, status: int, body: Any) -> None:
        self.service = service
        self.status = status
        self.body = body
        super().__init__(f"{service} answered {status}: {detail_of(body)}")


def detail_of(body: Any) -> str:
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            return str(detail[0].get("msg", "invalid request"))
    return "request refused"


def make_clients(
    settings: Settings, transports: Mapping[ServiceName, httpx.AsyncBaseTransport] | None = None
) -> dict[ServiceName, httpx.AsyncClient]:
    """One pooled client per service; tests may hand in transports (e.g. ASGI apps in-process)."""
    timeout = httpx.Timeout(
        settings.service_timeout_seconds, connect=settings.service_connect_timeout_seconds
    )
    limits = httpx.Limits(
        max_connections=settings.service_max_connections,
        max_keepalive_connections=settings.service_max_connections,
    )
    clients: dict[ServiceName, httpx.AsyncClient] = {}
    for name in SERVICES:
        transport = (transports or {}).get(name)
        client = httpx.AsyncClient(
            base_url=settings.service_url(name),
            timeout=timeout,
            limits=limits,
            transport=transport,
            follow_redirects=False,
        )
        HTTPXClientInstrumentor.instrument_client(client)  # traceparent goes to the services
        clients[name] = client
    return clients


@dataclass
class CallLog:
    """The internal calls of one GraphQL request, per service."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, service: ServiceName) -> None:
        self.counts[service] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, int]:
        return {name: self.counts.get(name, 0) for name in SERVICES}


@dataclass
class ServiceCalls:
    """The services as one request sees them: its token, its correlation id, its call log."""

    clients: Mapping[ServiceName, httpx.AsyncClient]
    token: str
    correlation_id: str
    log: CallLog

    async def get(self, service: ServiceName, path: str, params: Any = None) -> Any:
        return await self.request(service, "GET", path, params=params)

    async def post(
        self,
        service: ServiceName,
        path: str,
        body: Any,
        idempotency_key: str | None = None,
    ) -> Any:
        return await self.request(service, "POST", path, json=body, idempotency_key=idempotency_key)

    async def request(
        self,
        service: ServiceName,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """``timeout`` replaces the client's read timeout for a call known to be long."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "X-Correlation-Id": self.correlation_id,
        }
        if idempotency_key:
            if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
                raise ServiceRejected(
                    service,
                    422,
                    {"detail": [{"loc": ["idempotencyKey"], "msg": IDEMPOTENCY_KEY_RULE}]},
                )
            headers["Idempotency-Key"] = idempotency_key
        self.log.add(service)
        try:
            client = self.clients[service]
            response = await client.request(
                method,
                path,
                params=params,
                json=json,
                headers=headers,
                timeout=client.timeout
                if timeout is None
                else httpx.Timeout(timeout, connect=client.timeout.connect),
            )
        except (httpx.InvalidURL, UnicodeEncodeError) as exc:
            # what the caller sent cannot even be put into a request (checked earlier, this is
            # the last line): their mistake, not the service's
            raise ServiceRejected(
                service, 400, {"detail": f"the request cannot be sent: {type(exc).__name__}"}
            ) from None
        except httpx.TimeoutException:
            INTERNAL_CALLS.labels(service, "timeout").inc()
            raise ServiceUnavailable(service, "timed out") from None
        except httpx.HTTPError as exc:
            INTERNAL_CALLS.labels(service, "unreachable").inc()
            log.warning(
                "service_call_failed",
                service=service,
                path=path,
                error=type(exc).__name__,
                correlation_id=self.correlation_id,
            )
            raise ServiceUnavailable(service, "no answer") from None
        INTERNAL_CALLS.labels(service, _outcome(response.status_code)).inc()
        if response.status_code >= 500:
            log.warning(
                "service_error",
                service=service,
                path=path,
                status=response.status_code,
                correlation_id=self.correlation_id,
            )
            raise ServiceUnavailable(service, f"answered {response.status_code}")
        try:
            body = response.json() if response.content else None
        except ValueError:
            raise ServiceUnavailable(service, "answered something that is not JSON") from None
        if response.status_code >= 400:
            raise ServiceRejected(service, response.status_code, body)
        return body


_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
IDEMPOTENCY_KEY_RULE = "an idempotency key is 1 to 200 printable ASCII characters, without spaces"


def segment(identifier: str, name: str = "id") -> str:
    """An id as one URL path segment, checked first: nothing in it can reach another route."""
    value = str(identifier)
    if not _ID.match(value) or set(value) == {"."}:
        raise GraphQLError(
            f"{name} is not a valid id", extensions={"code": "BAD_USER_INPUT", "field": name}
        )
    return value


def _outcome(status: int) -> str:
    return "ok" if status < 400 else ("rejected" if status < 500 else "failed")
