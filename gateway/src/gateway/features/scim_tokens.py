# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""The SCIM tokens of a program: created, listed and revoked by its admins.

A token is the bearer token a program's identity provider sends to ``/scim/v2`` (see
``gateway.scim``); the mentoring service keeps only a hash of its secret, which is answered once,
at creation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import Arguments, Conflict, Forbidden, NotFound, ValidationError, as_field_error
from gateway.features.mutations import mutate
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.timestamps import moment


@strawberry.type(description="A SCIM token of a program (its secret is never shown again).")
class ScimToken:
    id: strawberry.ID
    program_id: strawberry.ID
    label: str
    created_by: str = strawberry.field(description="The account of the admin who created it.")
    created_at: datetime
    revoked_at: datetime | None = strawberry.field(description="Null while the token works.")

    @classmethod
    def of(cls, body: dict[str, Any]) -> ScimToken:
        revoked = body.get("revoked_at")
        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            label=body["label"],
            created_by=body["created_by"],
            created_at=moment(body["created_at"]),
            revoked_at=moment(revoked) if revoked else None,
        )


@strawberry.type(description="A new SCIM token and its secret.")
class CreatedScimToken:
    token: ScimToken
    secret: str = strawberry.field(
        description="The bearer token to give the identity provider, shown this once: it "
        "provisions the program's users at /scim/v2 until it is revoked, or until the admin "
        "who created it is no longer an admin of the program."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> CreatedScimToken:
        return cls(token=ScimToken.of(body["token"]), secret=body["secret"])


CreateScimTokenResult = Annotated[
    CreatedScimToken | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CreateScimTokenResult"),
]
RevokeScimTokenResult = Annotated[
    ScimToken | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("RevokeScimTokenResult"),
]
CREATE = Arguments(fields={"program_id": ("programId",), "label": ("label",)})
REVOKE = Arguments(fields={"token_id": ("id",)})


@strawberry.type
class Query:
    @strawberry.field(
        description="The SCIM tokens of a program, revoked ones included, without their "
        "secrets (its admins)."
    )
    async def scim_tokens(
        self, info: GatewayInfo, program_id: strawberry.ID
    ) -> list[ScimToken] | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        try:
            found = await info.context.services.get("mentoring", f"/programs/{program}/scim-tokens")
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "program", program) from None
        return [ScimToken.of(t) for t in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a SCIM token for the program's identity provider (its admins). The "
        "answer holds the secret, shown this once; the platform keeps only its hash."
    )
    async def create_scim_token(
        self, info: GatewayInfo, program_id: strawberry.ID, label: str
    ) -> CreateScimTokenResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        return await mutate(
            info.context.services.post(
                "mentoring", f"/programs/{program}/scim-tokens", {"label": label}
            ),
            CreatedScimToken.of,
            CREATE,
        )

    @strawberry.mutation(
        description="Revoke a SCIM token (an admin of its program): every later SCIM call "
        "with it is refused. Revoking it again changes nothing."
    )
    async def revoke_scim_token(
        self, info: GatewayInfo, id: strawberry.ID
    ) -> RevokeScimTokenResult | None:
        principal_of(info)
        token = segment(str(id), "id")
        return await mutate(
            info.context.services.post("mentoring", f"/scim-tokens/{token}/revoke", {}),
            ScimToken.of,
            REVOKE,
        )
