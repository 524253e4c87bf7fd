"""The language a program's admin is written to in, from their profile.

An admin's profile is a participation: the one in the program they run when they have one, else
their latest registration in any program, as the gateway reads a person's language; someone who
never registered anywhere reads English, the platform's own language (a program has no language
of its own). It is taken when they create the program or are added to it, and again whenever one
of their participations is registered or changes language (``governance.admins_follow_profile``).
"""

from __future__ import annotations

from mentoring.service_layer.ports import MentoringStore, Roster

DEFAULT_LANGUAGE = "en"


async def profile_language(roster: Roster, user_id: str) -> str:
    """The language of ``user_id``'s latest registration in any program, else English."""
    mine = await roster.participants_of_user(user_id)
    if not mine:
        return DEFAULT_LANGUAGE
    latest = max(mine, key=lambda p: (p.registered_at, p.id))
    return latest.language


async def language_in(store: MentoringStore, roster: Roster, program_id: str, user_id: str) -> str:
    """The language ``user_id`` is written to in as an admin of ``program_id``."""
    joined = await store.participant_of_user(program_id, user_id)
    if joined is not None:
        return joined.language
    return await profile_language(roster, user_id)
