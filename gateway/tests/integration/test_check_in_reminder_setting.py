"""A program's check-in reminder through the gateway: set on creation, changed by its admins
only, refused out of range with the field named, and carried by ProgramPublished to notify,
which reminds the program's mentees on that schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from notify.service_layer.nudges import send_due_nudges

from .conftest import ACCEPT, ADA, ADMIN, GRACE, Platform, set_up_match
from .test_governance import (
    CO_ADMIN,
    OTHER_ADMIN,
    anonymous,
    second_program,
    typename,
    with_co_admin,
)

CREATE = """
mutation($input: CreateProgramInput!) {
  createProgram(input: $input) {
    __typename
    ... on Program { id checkInReminderDays }
    ... on ValidationError { problems { path message } }
    ... on MutationError { message }
  }
}"""

UPDATE = """
mutation($program: ID!, $input: UpdateProgramInput!) {
  updateProgram(programId: $program, input: $input) {
    __typename
    ... on Program { checkInReminderDays }
    ... on ValidationError { problems { path message } }
    ... on MutationError { message }
  }
}"""

SHOW = "query($id: ID!) { program(id: $id) { checkInReminderDays } }"


async def test_a_program_is_created_with_its_check_in_reminder_or_the_default(
    platform: Platform,
) -> None:
    chosen = await platform.ok(*ADMIN, CREATE, input={"name": "Spring", "checkInReminderDays": 10})
    default = await platform.ok(*ADMIN, CREATE, input={"name": "Autumn"})
    refused = await platform.ok(*ADMIN, CREATE, input={"name": "Never", "checkInReminderDays": 0})

    assert chosen["createProgram"]["checkInReminderDays"] == 10
    assert default["createProgram"]["checkInReminderDays"] == 7
    assert typename(refused) == "ValidationError"
    [problem] = refused["createProgram"]["problems"]
    assert problem["path"] == ["input", "checkInReminderDays"]


async def test_only_the_programs_admins_change_its_check_in_reminder_and_notify_learns_it(
    platform: Platform, mongo_db: AsyncDatabase[Document]
) -> None:
    ids = await set_up_match(platform)
    program = ids["program"]
    await with_co_admin(platform, program)
    await second_program(platform)
    expected: dict[str, tuple[tuple[str, tuple[str, ...]], str, int]] = {
        "the admin": (ADMIN, "Program", 3),
        "the co-admin": (CO_ADMIN, "Program", 4),
        "the admin of another program": (OTHER_ADMIN, "Forbidden", 5),
        "a mentor of the program": (GRACE, "Forbidden", 6),
        "a mentee of the program": (ADA, "Forbidden", 7),
    }
    for label, (who, outcome, days) in expected.items():
        done = await platform.ok(*who, UPDATE, program=program, input={"checkInReminderDays": days})
        assert typename(done) == outcome, (label, done)
    anon = await anonymous(platform, UPDATE, program=program, input={"checkInReminderDays": 1})
    assert anon["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for days in (0, 366):
        bad = await platform.ok(
            *ADMIN, UPDATE, program=program, input={"checkInReminderDays": days}
        )
        assert typename(bad) == "ValidationError"
        assert [p["path"] for p in bad["updateProgram"]["problems"]] == [
            ["input", "checkInReminderDays"]
        ]

    shown = await platform.ok(*ADMIN, SHOW, id=program)
    assert shown["program"]["checkInReminderDays"] == 4
    notify_programs = mongo_db.client[f"{mongo_db.name}_n"]["programs"]

    async def notify_knows() -> bool:
        stored = await notify_programs.find_one({"_id": program})
        return stored is not None and stored.get("check_in_reminder_days") == 4

    await eventually(notify_knows, timeout=120)


INBOX = """
query {
  notifications(first: 20) {
    notifications { nodes { kind title about { opens programId menteeId } } }
  }
}"""


async def test_a_mentee_silent_for_the_programs_days_finds_a_reminder_in_the_inbox(
    platform: Platform, mongo_db: AsyncDatabase[Document]
) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*ADMIN, UPDATE, program=ids["program"], input={"checkInReminderDays": 2})
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])
    watches = mongo_db.client[f"{mongo_db.name}_n"]["check_in_watches"]

    async def watched() -> bool:
        watch = await watches.find_one({"_id": ids["ada"]})
        return watch is not None and watch["state"] == "waiting"

    await eventually(watched, timeout=120)
    # the services run on the real clock: the silence is made to have begun three days ago
    watch = await watches.find_one({"_id": ids["ada"]})
    assert watch is not None
    await watches.update_one(
        {"_id": ids["ada"]}, {"$set": {"since": watch["since"] - timedelta(days=3)}}
    )
    notify = platform.transports["notify"].inner
    assert isinstance(notify, httpx.ASGITransport)

    async def reminded() -> list[dict[str, Any]]:
        found = await platform.ok(*ADA, INBOX)
        nodes: list[dict[str, Any]] = found["notifications"]["notifications"]["nodes"]
        return [n for n in nodes if n["kind"] == "PROGRESS_CHECK_IN_OVERDUE"]

    async def reminded_after_a_round() -> list[dict[str, Any]]:
        """The worker's round, again until notify has read the program's 2 days (its
        ProgramPublished travels on another topic than the acceptance that started the watch)."""
        await send_due_nudges(notify.app.state.service.context())  # type: ignore[attr-defined]
        return await reminded()

    await eventually(reminded_after_a_round, timeout=60)
    [reminder] = await reminded()
    assert reminder["title"] == "Time for a check-in"
    assert reminder["about"]["programId"] == ids["program"]
    assert reminder["about"]["menteeId"] == ids["ada"]
    assert await send_due_nudges(notify.app.state.service.context()) == 0  # type: ignore[attr-defined]
    assert len(await reminded()) == 1, "once for this stretch of silence"
