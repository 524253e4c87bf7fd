"""How the web app signs people in, read by the app when it starts (``GET /auth/config``), so
that one build of the app serves every company.

The answer is ``{"mode": "dev"}`` where the dev profile's sign-in endpoints exist
(``gateway.dev_sign_in``); ``{"mode": "oidc", "authority", "clientId", "scope"}`` where an
identity provider is configured (``OIDC_CLIENT_ID``; the authority is ``JWT_ISSUER``, whose
discovery document names the endpoints); else ``{"mode": "none"}``: no one can sign in here.
The endpoint is public: it says nothing that the identity provider's own discovery document and
the app's sign-in page do not.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from gateway import dev_sign_in
from gateway.config import Settings


class DevSignIn(BaseModel):
    mode: Literal["dev"] = "dev"


class OidcSignIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    mode: Literal["oidc"] = "oidc"
    authority: str
    client_id: str = Field(alias="clientId")
    scope: str


class NoSignIn(BaseModel):
    mode: Literal["none"] = "none"


SignInConfig = DevSignIn | OidcSignIn | NoSignIn


def sign_in_config(settings: Settings) -> SignInConfig:
    if dev_sign_in.enabled(settings):
        return DevSignIn()
    if settings.oidc_client_id is not None:
        return OidcSignIn(
            authority=settings.jwt_issuer,
            client_id=settings.oidc_client_id,
            scope=settings.oidc_scope,
        )
    return NoSignIn()


def router(settings: Settings) -> APIRouter:
    routes = APIRouter(prefix="/auth", tags=["auth"])
    config = sign_in_config(settings)

    @routes.get("/config", response_model=SignInConfig, response_model_by_alias=True)
    async def read_config(response: Response) -> SignInConfig:
        # read again when the app loads: a changed setting applies at the next visit
        response.headers["Cache-Control"] = "no-cache"
        return config

    return routes
