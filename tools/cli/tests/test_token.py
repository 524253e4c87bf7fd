"""``mentorship token``: development tokens the services accept, refused where they must not be."""

from __future__ import annotations

import pytest

from mentorship_runtime.auth import AuthenticationError, TokenSettings, TokenVerifier
from mentorship_runtime.settings import DEV_JWT_SECRET

from .conftest import Cli, no_traceback

SECRET = "a-secret-the-services-share-for-this-test"


@pytest.fixture(autouse=True)
def no_token_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PROFILE", "JWT_SECRET", "JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)


async def test_a_dev_token_is_accepted_with_the_dev_profiles_secret(cli: Cli) -> None:
    result = await cli(
        "token", "--role", "mentor", "--user", "u-grace", "--name", "Grace",
        "--email", "grace@example.org", "--hours", "2",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    verifier = TokenVerifier(
        TokenSettings(issuer="mentorship-dev", audience="mentorship", secret=DEV_JWT_SECRET)
    )
    principal = await verifier.verify(token)
    assert principal.user_id == "u-grace"
    assert principal.roles == frozenset({"mentor"})
    assert (principal.name, principal.email) == ("Grace", "grace@example.org")
    assert "built-in secret" in result.stderr


async def test_the_token_uses_the_configured_secret_issuer_and_audience(cli: Cli) -> None:
    env = {"PROFILE": "test", "JWT_SECRET": SECRET, "JWT_ISSUER": "iss", "JWT_AUDIENCE": "aud"}

    result = await cli("token", "--role", "admin", "--user", "u-admin", env=env)

    assert result.exit_code == 0, result.output
    principal = await TokenVerifier(
        TokenSettings(issuer="iss", audience="aud", secret=SECRET)
    ).verify(result.stdout.strip())
    assert principal.is_admin
    wrong_key = TokenVerifier(TokenSettings(issuer="iss", audience="aud", secret=DEV_JWT_SECRET))
    with pytest.raises(AuthenticationError, match="Signature verification failed"):
        await wrong_key.verify(result.stdout.strip())


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JWT_JWKS_URL": "https://idp.example.org/jwks"}, "no development secret"),
        ({"PROFILE": "prod", "JWT_SECRET": SECRET}, "set JWT_JWKS_URL"),
        ({"PROFILE": "test"}, "JWT_SECRET or JWT_JWKS_URL is required"),
    ],
)
async def test_no_token_without_a_development_secret(
    cli: Cli, env: dict[str, str], message: str
) -> None:
    result = await cli("token", "--role", "mentee", "--user", "u-ada", env=env)

    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize(
    "args",
    [
        ("--role", "owner", "--user", "u-1"),
        ("--role", "mentor"),
        ("--role", "mentor", "--user", "u-1", "--hours", "0"),
    ],
)
async def test_bad_token_requests_are_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    result = await cli("token", *args)

    assert result.exit_code == 2
    assert result.stdout == ""
    no_traceback(result)


async def test_an_empty_user_is_refused(cli: Cli) -> None:
    result = await cli("token", "--role", "mentor", "--user", "  ")

    assert result.exit_code == 1
    assert "--user must not be empty" in result.stderr
