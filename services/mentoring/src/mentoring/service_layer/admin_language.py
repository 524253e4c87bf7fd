"""The language a program's admin is written to in, from their profile.

An admin's profile is a participation: the one in the program they run when they have one (the
caller looks there first), else their latest registration in any program, as the gateway reads a
person's language; someone who never registered anywhere reads English, the platform's own
language (a program has no language of its own).
"""

from __future__ import annotations

from mentoring.service_layer.ports import Roster

DEFAULT_LANGUAGE = "en"


async def profile_language(roster: Roster, user_id: str) -> str:
    """The language of ``user_id``'s latest registration in any program, else English."""
    mine = await roster.participants_of_user(user_id)
    if not mine:
        return DEFAULT_LANGUAGE
    latest = max(mine, key=lambda p: (p.registered_at, p.id))
    return latest.language
