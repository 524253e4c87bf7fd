"""A minimal OpenID provider for the sign-in tests: what the web app and the gateway use of a
company's identity provider, and nothing more.

- ``/.well-known/openid-configuration``: the discovery document (code flow, S256, RS256).
- ``GET /authorize``: checks the request (a known client and its redirect URI, ``response_type``
  code, an S256 ``code_challenge``, the ``openid`` scope) and shows a form to pick a user;
  ``POST /authorize`` sends the browser back to the redirect URI with a one-time code.
- ``POST /token``: exchanges the code once, if the client, the redirect URI and the PKCE
  ``code_verifier`` (its S256 hash must be the challenge) are those of the authorization.
- ``/jwks``: the public half of an RSA key generated when the provider is made.
- ``/logout``: the end-session endpoint; it records who signed out and sends the browser back.

Access tokens are RS256 JWTs with ``iss``, ``aud``, ``sub``, ``exp``, ``name``, ``email`` and the
user's roles at ``roles_claim`` (a dotted path nests them, as Keycloak does).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jwt.algorithms import RSAAlgorithm

KEY_ID = "test-key-1"
TOKEN_LIFETIME_SECONDS = 300


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    """What an authorization code stands for, until it is exchanged."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    user: User
    nonce: str | None


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636): base64url of its SHA-256, unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass
class Provider:
    issuer: str
    client_id: str
    redirect_uris: tuple[str, ...]
    audience: str
    users: tuple[User, ...]
    roles_claim: str = "roles"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, Grant] = field(default_factory=dict)
    signed_out: list[str] = field(default_factory=list)

    def post_logout_uris(self) -> set[str]:
        """Each registered redirect URI's origin, with a slash: where the app shows sign-in."""
        return {f"{urlsplit(uri).scheme}://{urlsplit(uri).netloc}/" for uri in self.redirect_uris}

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.user_id == user_id), None)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def access_token(self, user: User, *, lifetime: int = TOKEN_LIFETIME_SECONDS) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user.user_id,
            "iat": now,
            "exp": now + lifetime,
            "name": user.name,
            "email": f"{user.user_id}@company.example.com",
        }
        *parents, last = self.roles_claim.split(".")
        holder = claims
        for step in parents:
            holder = holder.setdefault(step, {})
        holder[last] = list(user.roles)
        return self.sign(claims)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": grant.user.user_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "name": grant.user.name,
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return self.sign(claims)


def _refusal(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def create_app(provider: Provider) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # the web app calls the discovery document and the token endpoint from the browser
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"])

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        base = provider.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    @app.get("/jwks")
    async def keys() -> dict[str, Any]:
        return provider.jwks()

    def authorization_problem(params: dict[str, str]) -> str | None:
        if params.get("client_id") != provider.client_id:
            return "unknown client"
        if params.get("redirect_uri") not in provider.redirect_uris:
            return "redirect URI not registered for this client"
        if params.get("response_type") != "code":
            return "only the authorization code flow"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        if "openid" not in params.get("scope", "").split():
            return "the openid scope is required"
        return None

    @app.get("/authorize", response_model=None)
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        if problem := authorization_problem(params):
            return HTMLResponse(f"<p>{html.escape(problem)}</p>", status_code=400)
        kept = ("client_id", "redirect_uri", "code_challenge", "state", "nonce")
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
            for name in kept
        )
        choices = "".join(
            f'<li><button type="submit" name="user" value="{html.escape(u.user_id)}">'
            f"{html.escape(u.name)}</button></li>"
            for u in provider.users
        )
        page = (
            '<!doctype html><html lang="en"><title>Test identity provider</title>'
            "<h1>Test identity provider</h1>"
            f'<form method="post" action="/authorize">{hidden}<ul>{choices}</ul></form></html>'
        )
        return HTMLResponse(page)

    @app.post("/authorize", response_model=None)
    async def authorized(
        client_id: str = Form(),
        redirect_uri: str = Form(),
        code_challenge: str = Form(),
        user: str = Form(),
        state: str = Form(default=""),
        nonce: str = Form(default=""),
    ) -> Response:
        chosen = provider.user(user)
        if client_id != provider.client_id or redirect_uri not in provider.redirect_uris:
            return HTMLResponse("<p>unknown client or redirect URI</p>", status_code=400)
        if chosen is None:
            return HTMLResponse("<p>unknown user</p>", status_code=400)
        code = secrets.token_urlsafe(24)
        provider.codes[code] = Grant(client_id, redirect_uri, code_challenge, chosen, nonce or None)
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 302)

    @app.post("/token", response_model=None)
    async def token(
        grant_type: str = Form(),
        code: str = Form(default=""),
        redirect_uri: str = Form(default=""),
        client_id: str = Form(default=""),
        code_verifier: str = Form(default=""),
    ) -> Response:
        if grant_type != "authorization_code":
            return _refusal("unsupported_grant_type", "only authorization_code")
        grant = provider.codes.pop(code, None)  # a code is used once, even when refused
        if grant is None:
            return _refusal("invalid_grant", "unknown or used code")
        if client_id != grant.client_id:
            return _refusal("invalid_client", "the code was issued to another client", 401)
        if redirect_uri != grant.redirect_uri:
            return _refusal("invalid_grant", "not the redirect URI of the authorization")
        if not code_verifier or not secrets.compare_digest(
            s256(code_verifier), grant.code_challenge
        ):
            return _refusal("invalid_grant", "the code_verifier does not match the challenge")
        return JSONResponse(
            {
                "access_token": provider.access_token(grant.user),
                "id_token": provider.id_token(grant),
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "scope": "openid profile email",
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/logout", response_model=None)
    async def logout(request: Request) -> Response:
        hint = request.query_params.get("id_token_hint", "")
        try:
            claims = jwt.decode(
                hint, provider.key.public_key(), algorithms=["RS256"], audience=provider.client_id
            )
        except jwt.PyJWTError:
            return HTMLResponse("<p>no valid id_token_hint</p>", status_code=400)
        back = request.query_params.get("post_logout_redirect_uri")
        if back is not None and back not in provider.post_logout_uris():
            return HTMLResponse("<p>post_logout_redirect_uri not registered</p>", status_code=400)
        provider.signed_out.append(str(claims["sub"]))
        if back:
            return RedirectResponse(back, 302)
        return HTMLResponse("<p>signed out</p>")

    return app
