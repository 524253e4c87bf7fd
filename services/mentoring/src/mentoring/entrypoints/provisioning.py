"""Routes of provisioning (``service_layer.provisioning``), called by the gateway's SCIM edge.

A program's admins manage its SCIM tokens with their own bearer token (``/programs/{id}/
scim-tokens``, ``/scim-tokens/{id}/revoke``). The ``/provisioning`` routes take a SCIM token as
their bearer token instead, and work in its program only: any other bearer, a revoked token or
one whose creator is no longer an admin is a 401."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, StringConstraints

from mentoring.domain.errors import Invalid
from mentoring.entrypoints import schemas as s
from mentoring.entrypoints.http import Caller
from mentoring.entrypoints.upserts import ProfileIn
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import provisioning
from mentoring.service_layer.commands import UNSET, Account, Grant, Unset
from mentoring.service_layer.ports import ScimToken
from mentoring.service_layer.provisioning import Provisioned, Provisioning, Stale

MAX_REPRESENTATION = 65_536
router = APIRouter()
_bearer = HTTPBearer(auto_error=False)


def _provisioning(request: Request) -> Provisioning:
    factory: Callable[[str | None], Provisioning] = request.app.state.provisioning
    return factory(request.headers.get("x-correlation-id"))


Prov = Annotated[Provisioning, Depends(_provisioning)]


async def _grant(
    p: Prov,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Grant:
    grant = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        grant = await provisioning.grant_of(p, credentials.credentials)
    if grant is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a valid SCIM token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return grant


Granted = Annotated[Grant, Depends(_grant)]


# ---- tokens ---------------------------------------------------------------------------------


class TokenIn(s.Strict):
    label: s.Name


class TokenOut(BaseModel):
    id: str
    program_id: str
    label: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ScimToken) -> TokenOut:
        return cls(
            id=token.id,
            program_id=token.program_id,
            label=token.label,
            created_by=token.created_by,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )


class NewTokenOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="the bearer token the identity provider sends; shown once")


@router.post(
    "/programs/{program_id}/scim-tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=NewTokenOut,
    summary="Create a SCIM token of the program (admins); its secret is answered this once",
)
async def create_token(program_id: str, body: TokenIn, caller: Caller, p: Prov) -> NewTokenOut:
    token, secret = await provisioning.create_token(
        cmd.CreateScimToken(caller, program_id, body.label), p
    )
    return NewTokenOut(token=TokenOut.of(token), secret=secret)


@router.get("/programs/{program_id}/scim-tokens", response_model=list[TokenOut])
async def list_tokens(program_id: str, caller: Caller, p: Prov) -> list[TokenOut]:
    return [TokenOut.of(t) for t in await provisioning.tokens(p, caller, program_id)]


@router.post("/scim-tokens/{token_id}/revoke", response_model=TokenOut)
async def revoke_token(token_id: str, caller: Caller, p: Prov) -> TokenOut:
    return TokenOut.of(await provisioning.revoke_token(cmd.RevokeScimToken(caller, token_id), p))


# ---- accounts -------------------------------------------------------------------------------


class ProvisionedProfileIn(ProfileIn):
    """The profile fields of the upsert, the manager named by participant id."""

    manager_id: s.Id | None = None


class AccountIn(s.Strict):
    user_name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    active: bool | None = None
    representation: Annotated[str, StringConstraints(max_length=MAX_REPRESENTATION)]
    profile: ProvisionedProfileIn
    based_on: int | None = Field(
        default=None,
        ge=0,
        description="the account's version this change was made on: another one is a 412",
    )

    def account(self) -> Account:
        profile = self.profile.profile()
        if not isinstance(profile.manager, Unset):
            raise Invalid("profile.manager", "name the manager by manager_id")
        return Account(
            user_name=self.user_name,
            external_id=self.external_id,
            active=self.active,
            representation=self.representation,
            profile=replace(profile, user_id=UNSET),  # a participant's account is their key
            based_on=self.based_on,
            manager_id=(
                self.profile.manager_id if "manager_id" in self.profile.model_fields_set else UNSET
            ),
        )


class AccountOut(BaseModel):
    participant_id: str
    participant_status: str
    user_name: str
    external_id: str | None
    representation: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, found: Provisioned) -> AccountOut:
        a = found.account
        return cls(
            participant_id=a.participant_id,
            participant_status=found.participant.status.value,
            user_name=a.user_name,
            external_id=a.external_id,
            representation=a.representation,
            created_at=a.created_at,
            updated_at=a.updated_at,
            version=a.version,
        )


class AccountPage(BaseModel):
    total: int
    items: list[AccountOut]


@router.get("/provisioning/accounts", response_model=AccountPage)
async def list_accounts(
    grant: Granted,
    p: Prov,
    user_name: str | None = Query(None, max_length=256),
    external_id: str | None = Query(None, max_length=256),
    start: int = Query(1, ge=1, le=1_000_000),
    count: int = Query(100, ge=0, le=100),
) -> AccountPage:
    total, found = await provisioning.accounts(
        p, grant, user_name=user_name, external_id=external_id, start=start, count=count
    )
    return AccountPage(total=total, items=[AccountOut.of(f) for f in found])


@router.get("/provisioning/accounts/{participant_id}", response_model=AccountOut)
async def get_account(participant_id: str, grant: Granted, p: Prov) -> AccountOut:
    return AccountOut.of(await provisioning.account(p, grant, participant_id))


@router.post(
    "/provisioning/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut
)
async def create_account(body: AccountIn, grant: Granted, p: Prov) -> Any:
    return AccountOut.of(
        await provisioning.create_account(cmd.CreateAccount(grant, body.account()), p)
    )


@router.put(
    "/provisioning/accounts/{participant_id}",
    response_model=AccountOut,
    responses={412: {"description": "the account is no longer at the version `based_on`"}},
)
async def replace_account(
    participant_id: str, body: AccountIn, grant: Granted, p: Prov
) -> AccountOut:
    try:
        replaced = await provisioning.replace_account(
            cmd.ReplaceAccount(grant, participant_id, body.account()), p
        )
    except Stale as exc:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, str(exc)) from None
    return AccountOut.of(replaced)


@router.delete("/provisioning/accounts/{participant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_account(participant_id: str, grant: Granted, p: Prov) -> None:
    await provisioning.remove_account(cmd.RemoveAccount(grant, participant_id), p)
