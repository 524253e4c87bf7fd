"""Bearer-token authentication shared by the gateway and the services.

Tokens are JWTs checked with a fixed list of algorithms (never the token's own choice, so
``alg: none`` and algorithm confusion are refused), and with ``iss``, ``aud`` and ``exp`` required.
Development signs with an HS256 secret; production verifies RS256 keys from a JWKS URL. Roles
are read from the claim that ``TokenSettings.roles_claim`` names: ``roles`` by default, or a
dotted path into nested claims (Keycloak puts a realm's roles in ``realm_access.roles``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mentorship_contracts.text import why_unstorable
from mentorship_runtime.principal import Principal

Role = Literal["admin", "mentor", "mentee"]
ROLES: frozenset[str] = frozenset({"admin", "mentor", "mentee"})
ROLES_CLAIM_PATTERN = r"^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$"
"""A claim name, or claim names joined by dots (a path into nested objects)."""
ROLES_CLAIM_MAX_LENGTH = 200


class AuthenticationError(Exception):
    """The token is missing, malformed, expired, or not signed by whom it should be."""


@dataclass(frozen=True)
class TokenSettings:
    issuer: str
    audience: str
    secret: str | None = None  # HS256 (development and tests)
    jwks_url: str | None = None  # RS256 (production)
    leeway_seconds: int = 30
    roles_claim: str = "roles"  # or a dotted path, see roles_at

    def __post_init__(self) -> None:
        if (self.secret is None) == (self.jwks_url is None):
            msg = "set exactly one of JWT_SECRET (HS256) and JWT_JWKS_URL (RS256)"
            raise ValueError(msg)
        if len(self.roles_claim) > ROLES_CLAIM_MAX_LENGTH or not re.fullmatch(
            ROLES_CLAIM_PATTERN, self.roles_claim
        ):
            msg = "the roles claim is a claim name or a dotted path of claim names"
            raise ValueError(msg)


def roles_at(claims: dict[str, Any], path: str) -> list[str]:
    """The roles in the claim of this name, else at this dotted path (``realm_access.roles`` is
    ``claims["realm_access"]["roles"]``); none when the claim or a step of the path is absent (an
    identity provider leaves it out of the token of someone without roles). A claim whose name
    has dots (``https://example.com/roles``) is found by its whole name."""
    found: Any = claims
    if path in claims:
        found = claims[path]
    else:
        for step in path.split("."):
            if not isinstance(found, dict) or step not in found:
                return []
            found = found[step]
    if not isinstance(found, list) or not all(isinstance(role, str) for role in found):
        raise AuthenticationError(f"the {path} claim must be a list of strings")
    return found


class TokenVerifier:
    def __init__(self, settings: TokenSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._algorithms = ["RS256"] if self._jwks else ["HS256"]

    async def verify(self, token: str) -> Principal:
        key: Any = self._settings.secret
        if self._jwks is not None:
            try:
                key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            except jwt.PyJWTError as exc:
                raise AuthenticationError(f"no signing key for this token: {exc}") from None
        return self._decode(token, key)

    def _decode(self, token: str, key: Any) -> Principal:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError(str(exc)) from None
        roles = roles_at(claims, self._settings.roles_claim)
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise AuthenticationError("the sub claim must be a non-empty string")
        for claim in ("sub", "name", "email"):  # they name people in what is stored
            value = claims.get(claim)
            if isinstance(value, str) and (why := why_unstorable(value)) is not None:
                raise AuthenticationError(f"the {claim} claim must not contain {why}")
        return Principal(
            user_id=subject,
            roles=frozenset(roles) & ROLES,
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            token=token,
        )


def issue_token(
    settings: TokenSettings,
    *,
    user_id: str,
    roles: Iterable[str],
    name: str | None = None,
    email: str | None = None,
    lifetime: timedelta = timedelta(hours=12),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str:
    """A signed HS256 token, for development and tests (production tokens come from the IdP)."""
    if settings.secret is None:
        msg = "tokens are issued here only with an HS256 development secret"
        raise ValueError(msg)
    now = clock()
    claims: dict[str, Any] = {
        "sub": user_id,
        "roles": sorted(roles),
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    return jwt.encode(claims, settings.secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


def principal_dependency(
    verifier_of: Callable[[Request], TokenVerifier],
) -> Callable[..., Any]:
    """A FastAPI dependency that turns the ``Authorization: Bearer`` header into a Principal."""

    async def current_principal(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="a bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            return await verifier_of(request).verify(credentials.credentials)
        except AuthenticationError as exc:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail=f"invalid token: {exc}",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None

    return current_principal
