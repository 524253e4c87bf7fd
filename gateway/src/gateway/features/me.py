# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Who the caller is, from their verified token (no service call)."""

from __future__ import annotations

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.features.enums import AccountRole


@strawberry.type(description="You, as your token says.")
class Me:
    user_id: strawberry.ID
    name: str | None
    email: str | None
    roles: list[AccountRole]


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
