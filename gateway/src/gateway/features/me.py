# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Who the caller is, from their verified token (no service call), and the programs they
take part in (``participations``, one call)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.features.enums import AccountRole

if TYPE_CHECKING:
    from gateway.features.roster import Participation


@strawberry.type(description="You, as your token says.")
class Me:
    user_id: strawberry.ID
    name: str | None
    email: str | None
    roles: list[AccountRole]

    @strawberry.field(
        description="The programs you take part in, as mentor, mentee or both: your "
        "participant id, roles and where you stand in each (one call to the mentoring service)."
    )
    async def participations(
        self, info: GatewayInfo
    ) -> list[Annotated[Participation, strawberry.lazy("gateway.features.roster")]] | None:
        from gateway.features import roster  # noqa: PLC0415 - roster imports this module

        return await roster.participations(info)


@strawberry.type
class Query:
    @strawberry.field(description="Who you are and your roles.")
    def me(self, info: GatewayInfo) -> Me:
        principal = principal_of(info)
        return Me(
            user_id=strawberry.ID(principal.user_id),
            name=principal.name,
            email=principal.email,
            roles=[role for role in AccountRole if role.value in principal.roles],
        )
