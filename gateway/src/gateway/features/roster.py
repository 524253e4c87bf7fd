# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""A program's roster (``Program.participants``) and its mentors' loads (``Program.mentors``),
for the program's admins, and your own participations (``Me.participations``).

Each page is one call to the mentoring service; the mentors' page adds one call to the progress
service for the progress status of every mentee on it who is in an active match.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import answers_of, as_field_error, bad_input
from gateway.features.enums import MatchStatus, ParticipantRole, ProgressStatus
from gateway.features.participants import Participant
from gateway.features.programs import Program
from gateway.loaders import PROGRESS_BATCH
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment

SEARCH_MAX = 100


@strawberry.enum(
    description="Where a participant stands in their program, derived from their own status "
    "and every match naming them (as mentee or as mentor), first that applies: WITHDRAWN "
    "(they left), ACTIVE (a match is active), PROPOSED (a proposal is open, none active), "
    "COMPLETED (nothing open, a match was completed), UNMATCHED (nothing open or completed: "
    "never matched, or only declined, expired or ended-early matches)."
)
class RosterStatus(Enum):
    UNMATCHED = "unmatched"
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


@strawberry.type(description="A participant of a program and where they stand.")
class RosterEntry:
    participant: Participant
    status: RosterStatus


@strawberry.type(description="A mentee in one of a mentor's open matches.")
class MentoredMentee:
    participant_id: strawberry.ID
    display_name: str
    match_id: strawberry.ID
    match_status: MatchStatus = strawberry.field(description="PROPOSED or ACTIVE.")
    progress_status: ProgressStatus | None = strawberry.field(
        description="How the mentee is doing, once the match is active and tracked; null "
        "while it is proposed."
    )


@strawberry.type(description="A mentor of a program and how loaded they are.")
class MentorLoad:
    mentor: Participant
    capacity: int
    open_matches: int = strawberry.field(description="Proposed and active matches.")
    free_places: int
    mentees: list[MentoredMentee] = strawberry.field(description="Oldest proposal first.")


@strawberry.type(description="One program you take part in, and where you stand in it.")
class Participation:
    participant_id: strawberry.ID
    roles: list[ParticipantRole]
    status: RosterStatus
    participant: Participant
    program: Program


def _search(search: str | None) -> str | None:
    if search is None:
        return None
    if len(search) > SEARCH_MAX:
        raise bad_input(f"search is at most {SEARCH_MAX} characters", "search")
    if "\x00" in search or any("\ud800" <= c <= "\udfff" for c in search):
        raise bad_input("search must be text without NUL or lone surrogates", "search")
    return search


async def participants_page(
    info: GatewayInfo,
    program_id: str,
    *,
    role: ParticipantRole | None,
    status: RosterStatus | None,
    search: str | None,
    first: int,
    after: str | None,
) -> Connection[RosterEntry]:
    principal_of(info)
    params: dict[str, Any] = {"first": page_size(info, first)}
    if role is not None:
        params["role"] = role.value
    if status is not None:
        params["standing"] = status.value
    if (text := _search(search)) is not None:
        params["search"] = text
    if (cursor := cursor_argument(after)) is not None:
        params["after"] = cursor
    try:
        body = await info.context.services.get(
            "mentoring", f"/programs/{segment(program_id, 'programId')}/roster", params
        )
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "program", program_id) from None
    info.context.loaders.prime_participants([item["participant"] for item in body["items"]])
    return connection(
        body["items"],
        body["next_cursor"],
        lambda item: RosterEntry(
            participant=Participant.of(item["participant"]),
            status=RosterStatus(item["standing"]),
        ),
    )


async def mentors_page(
    info: GatewayInfo, program_id: str, *, first: int, after: str | None
) -> Connection[MentorLoad]:
    principal_of(info)
    params: dict[str, Any] = {"first": page_size(info, first)}
    if (cursor := cursor_argument(after)) is not None:
        params["after"] = cursor
    try:
        body = await info.context.services.get(
            "mentoring", f"/programs/{segment(program_id, 'programId')}/mentor-loads", params
        )
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "program", program_id) from None
    tracked = sorted(
        {
            held["mentee_id"]
            for item in body["items"]
            for held in item["open_matches"]
            if held["status"] == "active"
        }
    )
    progress = await _progress_statuses(info, tracked)
    info.context.loaders.prime_participants([item["mentor"] for item in body["items"]])

    def load(item: dict[str, Any]) -> MentorLoad:
        mentor = Participant.of(item["mentor"])
        held = item["open_matches"]
        return MentorLoad(
            mentor=mentor,
            capacity=mentor.capacity,
            open_matches=len(held),
            free_places=max(0, mentor.capacity - len(held)),
            mentees=[
                MentoredMentee(
                    participant_id=strawberry.ID(m["mentee_id"]),
                    display_name=m["mentee_name"],
                    match_id=strawberry.ID(m["match_id"]),
                    match_status=MatchStatus(m["status"]),
                    progress_status=progress.get(m["mentee_id"])
                    if m["status"] == "active"
                    else None,
                )
                for m in held
            ],
        )

    return connection(body["items"], body["next_cursor"], load)


async def _progress_statuses(info: GatewayInfo, mentee_ids: list[str]) -> dict[str, ProgressStatus]:
    """The progress status of each of ``mentee_ids`` the progress service tracks: one call, or
    one per 500 mentees (the service's limit), made at once, for a page past 500 of them."""
    if not mentee_ids:
        return {}
    chunks = [mentee_ids[i : i + PROGRESS_BATCH] for i in range(0, len(mentee_ids), PROGRESS_BATCH)]
    answers = await answers_of(
        "mentee",
        "",
        *(
            info.context.services.get("progress", "/progress", {"mentee_ids": ",".join(chunk)})
            for chunk in chunks
        ),
    )
    views = [view for answer in answers for view in answer]
    info.context.loaders.prime_progress(views)
    return {view["mentee_id"]: ProgressStatus(view["status"]) for view in views}


async def participations(info: GatewayInfo) -> list[Participation]:
    """Yours, in one call to the mentoring service, which answers with the programs too."""
    principal_of(info)
    try:
        found = await info.context.services.get("mentoring", "/me/participations")
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "participations") from None
    info.context.loaders.prime_participants([item["participant"] for item in found])
    info.context.loaders.program.prime_many({i["program"]["id"]: i["program"] for i in found})
    return [
        Participation(
            participant_id=strawberry.ID(item["participant"]["id"]),
            roles=[ParticipantRole(r) for r in item["participant"]["roles"]],
            status=RosterStatus(item["standing"]),
            participant=Participant.of(item["participant"]),
            program=Program.of(item["program"]),
        )
        for item in found
    ]
