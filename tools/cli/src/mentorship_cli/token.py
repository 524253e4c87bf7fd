"""``mentorship token``: a signed development token for the gateway and the services."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer

from mentorship_cli.common import err, fail
from mentorship_runtime.auth import issue_token
from mentorship_runtime.settings import (
    DEV_JWT_SECRET,
    ConfigurationError,
    ServiceSettings,
    load_settings,
)

UNUSED = "unused-by-the-token-command"


class Role(StrEnum):
    admin = "admin"
    mentor = "mentor"
    mentee = "mentee"


class TokenEnvironment(ServiceSettings):
    """The services' own settings (PROFILE, JWT_SECRET, JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE);
    the infrastructure addresses are not needed to sign a token."""

    service_name: str = "mentorship-cli"
    kafka_bootstrap_servers: str = UNUSED
    mongodb_url: str = UNUSED
    mongodb_database: str = UNUSED


def token(
    role: Annotated[Role, typer.Option("--role", "-r", help="The role the token grants.")],
    user: Annotated[
        str,
        typer.Option("--user", "-u", help="The user id (the token's subject), e.g. u-grace."),
    ],
    name: Annotated[str | None, typer.Option(help="Display name claim.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail claim.")] = None,
    hours: Annotated[
        float, typer.Option(min=0.01, max=720, help="How long the token is valid.")
    ] = 12.0,
) -> None:
    """Print an HS256 development token signed with the secret the services read (JWT_SECRET,
    or the dev profile's built-in one), with their issuer and audience.

    Use it as `Authorization: Bearer <token>`. Refused where tokens come from an identity
    provider (JWT_JWKS_URL set, or PROFILE=prod). Only the token goes to stdout:
    `TOKEN=$(mentorship token --role mentor --user u-grace)`.
    """
    if not user.strip():
        fail("--user must not be empty")
    try:
        settings = load_settings(TokenEnvironment)
    except ConfigurationError as exc:
        fail(f"cannot sign a token with this configuration.\n{exc}")
    keys = settings.token_settings()
    if keys.secret is None:
        fail(
            "no development secret: this environment verifies RS256 tokens from its identity "
            "provider (JWT_JWKS_URL is set), so tokens must come from there. For development, "
            "unset JWT_JWKS_URL and set JWT_SECRET (or use PROFILE=dev)."
        )
    signed = issue_token(
        keys,
        user_id=user.strip(),
        roles=[role.value],
        name=name,
        email=email,
        lifetime=timedelta(hours=hours),
    )
    typer.echo(signed)
    source = "the dev profile's built-in secret" if keys.secret == DEV_JWT_SECRET else "JWT_SECRET"
    err().print(
        f"{role.value} token for {user.strip()}, valid {hours:g} h, "
        f"issuer {keys.issuer!r}, audience {keys.audience!r}, signed with {source}"
    )
