"""Signing in with a company account, outside the dev profile: the authorization code flow with
PKCE at a real (test) OpenID provider, the gateway and the services accepting its tokens, and
the whole journey in a browser (Debian's Chromium, driven by playwright-core from
``web/e2e/oidc/``) through the web app."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa
from pymongo import AsyncMongoClient

from mentorship_localstack.dev import WEB_DIR
from mentorship_runtime.mongo import Document
from tests.web.oidc_platform import CLIENT_ID, OidcPlatform, oidc_platform, web_app
from tests.web.oidc_provider import KEY_ID, s256
from tests.web.test_browser import chromium

ME = "{ me { userId name email roles } }"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def platform(
    kafka_bootstrap: str, mongo_url: str, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[OidcPlatform]:
    async with oidc_platform(kafka_bootstrap, mongo_url, mongo_client) as running:
        yield running


async def authorize(
    platform: OidcPlatform, http: httpx.AsyncClient, user: str, challenge: str, **overrides: str
) -> httpx.Response:
    """The provider's sign-in form, then the user's choice: the redirect with the code."""
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": platform.redirect_uri,
        "response_type": "code",
        "scope": "openid profile email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "st-1",
        **overrides,
    }
    form = await http.get(f"{platform.provider_url}/authorize", params=params)
    if form.status_code != 200:
        return form
    assert f'value="{user}"' in form.text
    return await http.post(
        f"{platform.provider_url}/authorize",
        data={
            **{k: params[k] for k in ("client_id", "redirect_uri", "code_challenge")},
            "user": user,
            "state": "st-1",
        },
    )


def code_of(redirect: httpx.Response, platform: OidcPlatform) -> str:
    assert redirect.status_code == 302, redirect.text
    location = redirect.headers["location"]
    assert location.startswith(f"{platform.redirect_uri}?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


async def exchange(
    platform: OidcPlatform, http: httpx.AsyncClient, code: str, verifier: str, **overrides: str
) -> httpx.Response:
    return await http.post(
        f"{platform.provider_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": platform.redirect_uri,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
            **overrides,
        },
    )


async def me(platform: OidcPlatform, token: str) -> dict[str, Any]:
    answer = await platform.gateway.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_the_gateway_names_the_provider_to_the_web_app(platform: OidcPlatform) -> None:
    answer = await platform.gateway.get("/auth/config")

    assert answer.json() == {
        "mode": "oidc",
        "authority": platform.provider_url,
        "clientId": CLIENT_ID,
        "scope": "openid profile email",
    }
    assert (await platform.gateway.get("/dev/people")).status_code == 404


async def test_a_code_exchanged_with_its_verifier_gives_a_token_the_gateway_accepts(
    platform: OidcPlatform,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with httpx.AsyncClient(timeout=30) as http:
        code = code_of(await authorize(platform, http, "olive-oidc", s256(verifier)), platform)

        tokens = await exchange(platform, http, code, verifier)

    assert tokens.status_code == 200, tokens.text
    body = await me(platform, tokens.json()["access_token"])
    assert "errors" not in body, body
    assert body["data"]["me"] == {
        "userId": "olive-oidc",
        "name": "Olive Company",
        "email": "olive-oidc@company.example.com",
        "roles": ["ADMIN", "MENTOR"],
    }
    # and the services accept it too: the gateway's call to mentoring carries it
    programs = await platform.gateway.post(
        "/graphql",
        json={"query": "{ programs(first: 5) { edges { node { id } } } }"},
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
    )
    assert programs.status_code == 200
    assert "errors" not in programs.json(), programs.json()


async def test_a_wrong_code_verifier_is_refused_and_spends_the_code(
    platform: OidcPlatform,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with httpx.AsyncClient(timeout=30) as http:
        code = code_of(await authorize(platform, http, "ada-oidc", s256(verifier)), platform)

        wrong = await exchange(platform, http, code, secrets.token_urlsafe(48))
        right_too_late = await exchange(platform, http, code, verifier)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]
    assert right_too_late.status_code == 400
    assert right_too_late.json()["error"] == "invalid_grant"


async def test_a_code_is_refused_for_another_redirect_uri_or_client(
    platform: OidcPlatform,
) -> None:
    verifier = secrets.token_urlsafe(48)
    async with httpx.AsyncClient(timeout=30) as http:
        unregistered = await authorize(
            platform, http, "ada-oidc", s256(verifier), redirect_uri="https://evil.example/cb"
        )
        without_pkce = await authorize(
            platform, http, "ada-oidc", s256(verifier), code_challenge_method="plain"
        )
        first = code_of(await authorize(platform, http, "ada-oidc", s256(verifier)), platform)
        elsewhere = await exchange(
            platform, http, first, verifier, redirect_uri="https://evil.example/cb"
        )
        second = code_of(await authorize(platform, http, "ada-oidc", s256(verifier)), platform)
        other_client = await exchange(platform, http, second, verifier, client_id="other")

    assert unregistered.status_code == 400
    assert without_pkce.status_code == 400
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (400, "invalid_grant")
    assert (other_client.status_code, other_client.json()["error"]) == (401, "invalid_client")


async def test_a_token_not_signed_by_the_provider_is_refused(platform: OidcPlatform) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    genuine = jwt.decode(
        platform.provider.access_token(platform.provider.users[0]),
        options={"verify_signature": False},
    )
    forged = jwt.encode(genuine, forger, algorithm="RS256", headers={"kid": KEY_ID})
    expired = platform.provider.access_token(platform.provider.users[0], lifetime=-120)

    for token in (forged, expired):
        body = await me(platform, token)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body


async def test_a_person_signs_in_with_their_company_account_in_a_browser(
    platform: OidcPlatform, tmp_path: Any
) -> None:
    async with web_app(platform, tmp_path / "vite.out") as origin:
        env = {
            **os.environ,
            "WEB_URL": origin,
            "CHROMIUM": chromium(),
            "SCREENSHOT_DIR": str(WEB_DIR / "e2e" / "screenshots"),
        }
        command = ["npx", "vitest", "run", "--config", "vitest.oidc.config.ts"]

        result = await asyncio.to_thread(
            subprocess.run,
            command,
            cwd=WEB_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    # signing out ended the session at the provider too (its end_session_endpoint)
    assert "ada-oidc" in platform.provider.signed_out
