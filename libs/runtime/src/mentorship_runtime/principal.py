"""Who is asking: the person a verified token names, with their roles (``auth`` verifies the
token; the use cases only read this)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str]
    name: str | None = None
    email: str | None = None
    token: str = ""

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
