"""GET /auth/config tells the web app how people sign in here; the settings behind it are
checked when the gateway starts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from gateway.app import create_app
from gateway.config import Settings

from .conftest import settings

IDP = "https://login.example.com/realms/acme"
JWKS = f"{IDP}/protocol/openid-connect/certs"


async def read_config(gateway_settings: Settings) -> httpx.Response:
    app = create_app(gateway_settings, live_updates=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        return await http.get("/auth/config")


async def test_the_dev_profile_signs_in_with_its_own_page() -> None:
    answer = await read_config(settings(profile="dev"))

    assert answer.status_code == 200
    assert answer.json() == {"mode": "dev"}


async def test_an_identity_provider_is_named_with_its_issuer_client_and_scope() -> None:
    configured = settings(
        profile="prod",
        jwt_secret=None,
        jwt_issuer=IDP,
        jwt_jwks_url=JWKS,
        oidc_client_id="mentorship-web",
        oidc_scope="openid profile email offline_access",
    )

    answer = await read_config(configured)

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.json() == {
        "mode": "oidc",
        "authority": IDP,
        "clientId": "mentorship-web",
        "scope": "openid profile email offline_access",
    }


async def test_the_dev_profile_with_an_identity_providers_keys_signs_in_there() -> None:
    configured = settings(
        profile="dev", jwt_issuer=IDP, jwt_jwks_url=JWKS, oidc_client_id="mentorship-web"
    )

    answer = await read_config(configured)

    assert answer.json()["mode"] == "oidc"
    assert answer.json()["scope"] == "openid profile email"


async def test_without_an_identity_provider_no_one_can_sign_in() -> None:
    answer = await read_config(settings(profile="prod", jwt_secret=None, jwt_jwks_url=JWKS))

    assert answer.json() == {"mode": "none"}


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"oidc_client_id": ""}, "oidc_client_id"),
        ({"oidc_client_id": "web app"}, "oidc_client_id"),
        ({"oidc_client_id": "web\x00"}, "oidc_client_id"),
        ({"oidc_client_id": "x" * 201}, "oidc_client_id"),
        ({"oidc_scope": "profile email"}, "must include openid"),
        ({"oidc_scope": "openid  email"}, "oidc_scope"),
        ({"oidc_scope": 'openid "email"'}, "oidc_scope"),
        ({"oidc_scope": "openid\nemail"}, "oidc_scope"),
        ({"jwt_jwks_url": None, "jwt_secret": "a-secret"}, "needs JWT_JWKS_URL"),
        ({"jwt_issuer": "acme"}, "https URL"),
        ({"jwt_issuer": "http://login.example.com/realms/acme"}, "https URL"),
        ({"jwt_issuer": "ftp://login.example.com/"}, "https URL"),
    ],
)
def test_sign_in_settings_that_cannot_work_stop_the_start(
    overrides: dict[str, Any], problem: str
) -> None:
    values: dict[str, Any] = {
        "profile": "test",
        "jwt_secret": None,
        "jwt_issuer": IDP,
        "jwt_jwks_url": JWKS,
        "oidc_client_id": "mentorship-web",
        **overrides,
    }

    with pytest.raises(ValidationError, match=problem):
        settings(**values)


def test_an_identity_provider_on_this_machine_may_be_plain_http() -> None:
    for issuer in ("http://127.0.0.1:9000", "http://localhost:9000/realms/test"):
        configured = settings(jwt_issuer=issuer, jwt_jwks_url=JWKS, oidc_client_id="web")
        assert configured.oidc_client_id == "web"
