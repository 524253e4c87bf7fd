"""Relay's ``Node``: the services' ids are already global (their type is their prefix)."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a globally unique id: pg_ programs, pt_ participants, m_ matches."
)
class Node:
    id: strawberry.ID
