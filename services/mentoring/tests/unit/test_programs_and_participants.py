from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from mentoring.domain.errors import Invalid, InvalidTransition
from mentoring.domain.participants import Participant, ParticipantStatus, WeeklySlot
from mentoring.domain.programs import Admin, MatchingSettings, Program, ProgramStatus

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def program(status: ProgramStatus = ProgramStatus.DRAFT) -> Program:
    return Program(
        id="pg-1",
        name="Social business",
        description="",
        learning_path_id="p",
        admins=(Admin("u-admin"),),
        settings=MatchingSettings(),
        status=status,
        created_at=NOW,
    )


def participant(timezone: str, *slots: WeeklySlot) -> Participant:
    return Participant(
        id="pt-1",
        program_id="pg-1",
        user_id="u-1",
        roles=frozenset({"mentee"}),
        display_name="Ada",
        email="ada@example.org",
        language="en",
        languages=frozenset({"en"}),
        timezone=timezone,
        department=None,
        manager_id=None,
        availability=slots,
        competencies={},
        goals={"purpose": 3},
        capacity=1,
        ranked_mentors=(),
        status=ParticipantStatus.ACTIVE,
        registered_at=NOW,
    )


def test_a_program_opens_then_closes_and_never_reopens() -> None:
    opened = program().change_status(ProgramStatus.OPEN)
    closed = opened.change_status(ProgramStatus.CLOSED)

    assert opened.matches
    assert not closed.matches
    assert not closed.accepts_participants
    with pytest.raises(InvalidTransition, match="it is closed"):
        closed.change_status(ProgramStatus.OPEN)


def test_only_listed_admins_administer_a_program() -> None:
    assert program().is_admin("u-admin")
    assert not program().is_admin("u-mentor")


def test_a_program_stalls_its_mentees_after_fourteen_days_unless_told_otherwise() -> None:
    assert program().stall_window_days == 14
    assert replace(program(), stall_window_days=30).stall_window_days == 30


@pytest.mark.parametrize("days", [0, -1, 366, True, 7.5])
def test_a_stall_window_outside_one_day_to_a_year_is_refused(days: Any) -> None:
    with pytest.raises(Invalid, match="stall_window_days"):
        replace(program(), stall_window_days=days)


def test_a_program_reminds_its_mentees_to_check_in_after_seven_days_unless_told_otherwise() -> None:
    assert program().check_in_reminder_days == 7
    assert replace(program(), check_in_reminder_days=3).check_in_reminder_days == 3


@pytest.mark.parametrize("days", [0, -1, 366, True, 7.5, "7"])
def test_a_check_in_reminder_outside_one_day_to_a_year_is_refused(days: Any) -> None:
    with pytest.raises(Invalid, match="check_in_reminder_days"):
        replace(program(), check_in_reminder_days=days)


def test_availability_is_converted_to_utc_hours_of_the_week() -> None:
    monday_9_to_11_in_paris = WeeklySlot(day=0, start_hour=9, end_hour=11)

    winter = participant("Europe/Paris", monday_9_to_11_in_paris).availability_utc(NOW)
    summer = participant("Europe/Paris", monday_9_to_11_in_paris).availability_utc(SUMMER)

    assert winter == {8, 9}  # UTC+1
    assert summer == {7, 8}  # UTC+2, daylight saving time


def test_availability_wraps_around_the_end_of_the_week() -> None:
    sunday_night_in_tokyo = WeeklySlot(day=0, start_hour=2, end_hour=3)  # Monday 02:00 in Tokyo

    assert participant("Asia/Tokyo", sunday_night_in_tokyo).availability_utc(NOW) == {168 - 7}


def test_a_participant_withdraws_once() -> None:
    withdrawn = participant("UTC").withdraw()

    assert not withdrawn.is_active
    with pytest.raises(InvalidTransition):
        withdrawn.withdraw()
