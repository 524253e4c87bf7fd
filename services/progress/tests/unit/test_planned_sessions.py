from datetime import UTC, datetime, timedelta

import pytest

from progress.domain.errors import Conflict, Invalid, InvalidTransition
from progress.domain.planned_sessions import (
    Change,
    PlannedSession,
    PlannedStatus,
    Schedule,
    schedule_of,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def schedule(
    local: str = "2027-03-10T14:30", zone: str = "Europe/Paris", **extra: object
) -> Schedule:
    given: dict[str, object] = {
        "local_start": local,
        "time_zone": zone,
        "duration_minutes": 60,
        "location": "Café de la Gare",
        "video_url": None,
        "module_ids": [],
        **extra,
    }
    return schedule_of(**given)  # type: ignore[arg-type]


def planned(**extra: object) -> PlannedSession:
    return PlannedSession.plan(
        planned_session_id="ps-1",
        mentee_id="pt_ada",
        mentor_id="pt_grace",
        program_id="pg_1",
        schedule=schedule(**extra),  # type: ignore[arg-type]
        by="mentee",
        now=NOW,
    )


def test_a_wall_clock_start_is_kept_as_its_instant_in_utc_across_time_zones() -> None:
    assert schedule("2027-03-10T14:30", "Europe/Paris").starts_at == datetime(
        2027, 3, 10, 13, 30, tzinfo=UTC
    )
    assert schedule("2027-07-10T14:30", "Europe/Paris").starts_at == datetime(
        2027, 7, 10, 12, 30, tzinfo=UTC
    )
    assert schedule("2027-03-10T09:00", "America/New_York").starts_at == datetime(
        2027, 3, 10, 14, 0, tzinfo=UTC
    )
    tokyo = schedule("2027-03-10T09:00", "Asia/Tokyo")
    assert tokyo.starts_at == datetime(2027, 3, 10, 0, 0, tzinfo=UTC)
    assert tokyo.ends_at == datetime(2027, 3, 10, 1, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_the_first() -> None:
    with pytest.raises(Invalid, match="does not exist"):
        schedule("2027-03-28T02:30", "Europe/Paris")
    repeated = schedule("2027-10-31T02:30", "Europe/Paris")
    assert repeated.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_only_future_sessions_within_a_year_are_planned() -> None:
    with pytest.raises(Invalid, match="future"):
        planned(local="2027-02-28T10:00")
    with pytest.raises(Invalid, match="future"):
        planned(local="2027-03-01T10:00")  # 09:00 UTC, the very moment
    with pytest.raises(Invalid, match="a year ahead"):
        planned(local="2028-04-01T10:00")
    assert planned().status is PlannedStatus.SCHEDULED
    assert planned().sequence == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"zone": "Mars/Olympus"}, "time_zone"),
        ({"zone": "../../etc/passwd"}, "time_zone"),
        ({"zone": "+02:00"}, "time_zone"),
        ({"local": "2027-03-10 14:30"}, "local_start"),
        ({"local": "2027-02-30T14:30"}, "local_start"),
        ({"local": "10/03/2027"}, "local_start"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"duration_minutes": 10**9}, "duration_minutes"),
        ({"duration_minutes": True}, "duration_minutes"),
        ({"location": None}, "location"),
        ({"location": "a\x00b"}, "location"),
        ({"location": "x" * 301}, "location"),
        ({"location": None, "video_url": "javascript:alert(1)"}, "video_url"),
        ({"video_url": "JAVASCRIPT://x.org/%0aalert(1)"}, "video_url"),
        ({"video_url": "ftp://files.example.org/x"}, "video_url"),
        ({"video_url": "https://"}, "video_url"),
        ({"video_url": "https://user:pw@meet.example.org/x"}, "video_url"),
        ({"video_url": "https://meet.example.org/a b"}, "video_url"),
        ({"video_url": "https://meet.example.org/\x00"}, "video_url"),
        ({"video_url": "https://meet.example.org/" + "a" * 2000}, "video_url"),
    ],
)
def test_hostile_schedules_are_refused_naming_the_field(
    extra: dict[str, object], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        schedule(**extra)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_video_link_alone_is_a_place() -> None:
    link = schedule(location=None, video_url="https://meet.example.org/abc-def")
    assert link.video_url == "https://meet.example.org/abc-def"
    assert link.location is None


def test_a_reschedule_increments_the_sequence_and_the_same_one_again_changes_nothing() -> None:
    first = planned()
    moved, change = first.reschedule(schedule("2027-03-11T10:00"), by="mentor", now=NOW)
    assert change is Change.RESCHEDULED
    assert moved.sequence == 1
    assert moved.id == first.id
    assert moved.changed_by == "mentor"
    again, change = moved.reschedule(schedule("2027-03-11T10:00"), by="mentor", now=NOW)
    assert (again, change) == (moved, None)
    moved_twice, _ = moved.reschedule(schedule("2027-03-12T10:00"), by="mentee", now=NOW)
    assert moved_twice.sequence == 2


def test_a_reschedule_into_the_past_is_refused() -> None:
    with pytest.raises(Invalid, match="future"):
        planned().reschedule(schedule("2027-02-01T10:00"), by="mentee", now=NOW)


def test_cancel_is_terminal_and_counts_as_a_change() -> None:
    cancelled, change = planned().cancel(by="mentor", reason="  ill  ", now=NOW)
    assert change is Change.CANCELLED
    assert cancelled.status is PlannedStatus.CANCELLED
    assert cancelled.sequence == 1
    assert cancelled.cancel_reason == "ill"
    assert cancelled.cancel(by="mentee", reason=None, now=NOW) == (cancelled, None)
    with pytest.raises(InvalidTransition) as refused:
        cancelled.reschedule(schedule("2027-03-12T10:00"), by="mentee", now=NOW)
    assert refused.value.current == "cancelled"
    with pytest.raises(InvalidTransition):
        cancelled.confirm_held(by="mentee", now=NOW + timedelta(days=30))


def test_a_session_is_confirmed_held_once_started_and_then_is_final() -> None:
    session = planned()
    with pytest.raises(Conflict, match="once it has started"):
        session.confirm_held(by="mentee", now=NOW)
    later = session.schedule.starts_at + timedelta(minutes=5)
    held, change = session.confirm_held(by="mentor", now=later)
    assert change is Change.HELD
    assert held.status is PlannedStatus.HELD
    assert held.sequence == session.sequence
    assert held.confirm_held(by="mentee", now=later) == (held, None)
    with pytest.raises(InvalidTransition):
        held.cancel(by="mentee", reason=None, now=later)
    with pytest.raises(InvalidTransition):
        held.reschedule(schedule("2027-03-20T10:00"), by="mentee", now=later)


def test_a_retry_of_the_same_plan_is_recognised() -> None:
    first = planned()
    retry = PlannedSession.plan(
        planned_session_id="ps-1",
        mentee_id="pt_ada",
        mentor_id="pt_grace",
        program_id="pg_1",
        schedule=schedule(),
        by="mentee",
        now=NOW + timedelta(seconds=3),
    )
    assert first.same_plan(retry)
    assert not first.same_plan(planned(local="2027-03-10T15:00"))


def test_the_platform_cancels_as_a_side_does() -> None:
    cancelled, change = planned().cancel(by="platform", reason=None, now=NOW)

    assert change is Change.CANCELLED
    assert (cancelled.changed_by, cancelled.sequence) == ("platform", 1)
