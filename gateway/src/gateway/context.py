"""What every resolver of one request (or one websocket connection) sees."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import jwt
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from gateway.config import ServiceName, Settings
from gateway.errors import unauthenticated
from gateway.loaders import Loaders
from gateway.services import CallLog, ServiceCalls
from mentorship_runtime.auth import AuthenticationError, TokenVerifier
from mentorship_runtime.principal import Principal

if TYPE_CHECKING:
    from gateway.live import NotificationHub

_CORRELATION = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")


@dataclass
class Runtime:
    """Shared by every request of one gateway process."""

    settings: Settings
    verifier: TokenVerifier
    clients: Mapping[ServiceName, httpx.AsyncClient]
    hub: NotificationHub


def correlation_id(given: str | None) -> str:
    """The caller's id when it looks like one (so a front end can tie its logs to ours)."""
    if given and _CORRELATION.match(given):
        return given
    return uuid.uuid4().hex


def bearer_token(value: Any) -> str | None:
    """The token of ``Bearer <token>`` (or a bare token, as websocket clients often send it)."""
    if not isinstance(value, str) or not value.strip():
        return None
    scheme, _, rest = value.strip().partition(" ")
    if rest:
        return rest.strip() if scheme.lower() == "bearer" else None
    return scheme


class GatewayContext(BaseContext):
    def __init__(self, runtime: Runtime, correlation: str, *, per_connection: bool) -> None:
        super().__init__()
        self.runtime = runtime
        self.correlation_id = correlation
        self.principal: Principal | None = None
        self.expires_at: float | None = None
        self.auth_problem = "a bearer token is required"
        self.calls = CallLog()
        self.deadline: asyncio.Timeout | None = None
        self.services = ServiceCalls(runtime.clients, "", correlation, self.calls)
        # over a websocket the context lives as long as the connection: batch, but never cache
        self.loaders = Loaders(
            self.services, cache=not per_connection, batch=runtime.settings.dataloaders
        )

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    async def authenticate(self, token: str | None) -> None:
        if token is None:
            self.principal, self.auth_problem = None, "a bearer token is required"
            return
        try:
            self.principal = await self.runtime.verifier.verify(token)
        except AuthenticationError as exc:
            self.principal, self.auth_problem = None, f"invalid token: {exc}"
            return
        self.services.token = token
        self.expires_at = _expiry(token)

    def allow_up_to(self, seconds: float) -> None:
        """Push the request's deadline back for an operation known to be long (matching)."""
        if self.deadline is None:
            return
        later = asyncio.get_running_loop().time() + seconds
        current = self.deadline.when()
        if current is not None and current < later:
            self.deadline.reschedule(later)

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise unauthenticated(self.auth_problem)
        return self.principal


def _expiry(token: str) -> float | None:
    """When a token that was just verified expires (a subscription ends then)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    expiry = claims.get("exp")
    return float(expiry) if isinstance(expiry, int | float) else None


GatewayInfo = Info[GatewayContext, None]


def principal_of(info: GatewayInfo) -> Principal:
    return info.context.require_principal()
