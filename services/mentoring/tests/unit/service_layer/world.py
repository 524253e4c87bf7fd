"""People and programs for the core use cases' tests, made through the use cases themselves."""

from __future__ import annotations

from typing import Any

from mentoring.domain.matches import Match
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import handlers
from mentorship_runtime.principal import Principal
from services.mentoring.tests.unit.fakes import Fakes

ADMIN = Principal("u-admin", frozenset({"admin"}), "Alice Admin", "alice@example.org")
OTHER_ADMIN = Principal("u-other-admin", frozenset({"admin"}), "Otto", "otto@example.org")
STRANGER = Principal("u-stranger", frozenset({"mentee", "mentor"}))


def person(user_id: str, *roles: str) -> Principal:
    return Principal(user_id, frozenset(roles), user_id.removeprefix("u-").title())


async def program(fakes: Fakes, **settings: Any) -> Program:
    return await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Social business", "", "lp-1", **settings), fakes.context()
    )


async def register(
    fakes: Fakes, program_id: str, user_id: str, role: str, **fields: Any
) -> Participant:
    fields.setdefault("competencies" if role == "mentor" else "goals", {"python": 3})
    return await handlers.register_participant(
        cmd.RegisterParticipant(
            actor=person(user_id, role),
            program_id=program_id,
            user_id=user_id,
            roles=frozenset({role}),
            display_name=user_id.removeprefix("u-").title(),
            email=f"{user_id}@example.org",
            **fields,
        ),
        fakes.context(),
    )


async def proposal(
    fakes: Fakes, program_id: str, mentee: Participant, mentor: Participant
) -> Match:
    return await handlers.propose_match(
        cmd.ProposeMatch(ADMIN, mentee.id, mentor.id), fakes.context()
    )


async def pair(fakes: Fakes, **settings: Any) -> tuple[Program, Participant, Participant]:
    """A program with one mentee and one mentor who suit each other."""
    made = await program(fakes, **settings)
    mentee = await register(fakes, made.id, "u-ada", "mentee")
    mentor = await register(fakes, made.id, "u-grace", "mentor")
    return made, mentee, mentor
