"""The internal HTTP API of program governance and rosters: admins, a program's participants
with their standing, its mentors' loads, and a person's own participations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from mentoring.domain.roster import SEARCH_MAX, Standing
from mentoring.entrypoints.http import MAX_PAGE, Caller, Ctx
from mentoring.entrypoints.schemas import Email, Id, Name, ParticipantOut, ProgramOut, Strict
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import governance, roster

router = APIRouter()

UserId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Cursor = Annotated[str | None, Query(max_length=400)]
First = Annotated[int, Query(ge=1, le=MAX_PAGE)]


class AdminIn(Strict):
    user_id: Id
    display_name: Name | None = None
    email: Email | None = None
    language: Literal["en", "fr"] | None = None


class RosterEntryOut(BaseModel):
    participant: ParticipantOut
    standing: str


class RosterPage(BaseModel):
    items: list[RosterEntryOut]
    next_cursor: str | None


class HeldMatchOut(BaseModel):
    match_id: str
    status: str
    mentee_id: str
    mentee_name: str


class MentorLoadOut(BaseModel):
    mentor: ParticipantOut
    open_matches: list[HeldMatchOut]


class MentorLoadPage(BaseModel):
    items: list[MentorLoadOut]
    next_cursor: str | None


class ParticipationOut(BaseModel):
    participant: ParticipantOut
    standing: str
    program: ProgramOut


@router.post("/programs/{program_id}/admins", response_model=ProgramOut)
async def add_admin(program_id: str, body: AdminIn, caller: Caller, ctx: Ctx) -> ProgramOut:
    """Make someone an admin of the program (its admins only); adding an admin again changes
    nothing."""
    program = await governance.add_admin(
        cmd.AddAdmin(
            caller,
            program_id,
            body.user_id,
            display_name=body.display_name,
            email=body.email,
            language=body.language,
        ),
        ctx,
    )
    return ProgramOut.of(program)


@router.delete("/programs/{program_id}/admins/{user_id}", response_model=ProgramOut)
async def remove_admin(program_id: str, user_id: UserId, caller: Caller, ctx: Ctx) -> ProgramOut:
    """Remove an admin (its admins only), never the last one (409)."""
    program = await governance.remove_admin(cmd.RemoveAdmin(caller, program_id, user_id), ctx)
    return ProgramOut.of(program)


@router.get("/programs/{program_id}/roster", response_model=RosterPage)
async def program_roster(
    program_id: str,
    caller: Caller,
    ctx: Ctx,
    role: Literal["mentor", "mentee"] | None = None,
    standing: Standing | None = None,
    search: Annotated[str | None, Query(max_length=SEARCH_MAX)] = None,
    first: First = 20,
    after: Cursor = None,
) -> RosterPage:
    """The program's participants with their standing, in registration order (its admins)."""
    page = await roster.participants(
        ctx, caller, program_id, role=role, wanted=standing, search=search, first=first, after=after
    )
    return RosterPage(
        items=[
            RosterEntryOut(participant=ParticipantOut.of(e.participant), standing=e.standing.value)
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/programs/{program_id}/mentor-loads", response_model=MentorLoadPage)
async def mentor_loads(
    program_id: str, caller: Caller, ctx: Ctx, first: First = 20, after: Cursor = None
) -> MentorLoadPage:
    """The program's mentors still in it, each with their open matches (its admins)."""
    page = await roster.mentor_loads(ctx, caller, program_id, first=first, after=after)
    return MentorLoadPage(
        items=[
            MentorLoadOut(
                mentor=ParticipantOut.of(load.mentor),
                open_matches=[
                    HeldMatchOut(
                        match_id=m.id,
                        status=m.status.value,
                        mentee_id=m.mentee_id,
                        mentee_name=m.mentee_name,
                    )
                    for m in load.open_matches
                ],
            )
            for load in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/me/participations", response_model=list[ParticipationOut])
async def my_participations(caller: Caller, ctx: Ctx) -> list[ParticipationOut]:
    """The caller's participations in every program, with their standing and the program."""
    return [
        ParticipationOut(
            participant=ParticipantOut.of(p.participant),
            standing=p.standing.value,
            program=ProgramOut.of(p.program),
        )
        for p in await roster.participations(ctx, caller)
    ]
