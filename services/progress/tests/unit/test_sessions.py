from collections.abc import Sequence
from datetime import date

import pytest

from progress.domain.errors import Conflict, Invalid, NotFound
from progress.domain.signals import MenteeBackOnTrack, Role, SessionLogged, SessionRated
from progress.domain.tracking import Tracking, Transition

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, days, started

TODAY = START.date()


def log(
    tracking: Tracking,
    *,
    session_id: str = "s-1",
    held_on: date = TODAY,
    duration_minutes: int = 60,
    module_ids: Sequence[str] = ("basics",),
    notes: str | None = "walked through the charter",
) -> Transition:
    return tracking.log_session(
        path=PATH,
        session_id=session_id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        module_ids=module_ids,
        notes=notes,
        now=START,
    )


def rate(tracking: Tracking, by: Role, rating: int, session_id: str = "s-1") -> Transition:
    return tracking.rate_session(session_id=session_id, by=by, rating=rating)


def test_a_session_is_logged_and_signalled() -> None:
    transition = log(started(), held_on=TODAY - days(2), module_ids=("basics", "practice"))

    assert transition.signals == (
        SessionLogged(
            mentee_id=MENTEE,
            mentor_id=MENTOR,
            program_id=PROGRAM,
            session_id="s-1",
            held_on=TODAY - days(2),
            duration_minutes=60,
            module_ids=("basics", "practice"),
        ),
    )
    [session] = transition.tracking.sessions
    assert session.notes == "walked through the charter"
    assert transition.tracking.last_activity_at == START


def test_a_session_held_today_is_accepted() -> None:
    assert log(started(), held_on=TODAY).changed


def test_a_session_in_the_future_is_refused() -> None:
    with pytest.raises(Invalid, match="in the future") as raised:
        log(started(), held_on=TODAY + days(1))
    assert raised.value.field == "held_on"


def test_a_session_of_eight_hours_is_accepted() -> None:
    assert log(started(), duration_minutes=480).changed


@pytest.mark.parametrize("duration_minutes", [481, 0, -30])
def test_a_session_longer_than_eight_hours_or_without_duration_is_refused(
    duration_minutes: int,
) -> None:
    with pytest.raises(Invalid, match="8 hours") as raised:
        log(started(), duration_minutes=duration_minutes)
    assert raised.value.field == "duration_minutes"


def test_a_session_on_an_unknown_module_names_the_module() -> None:
    with pytest.raises(NotFound, match="module 'astrology' not found"):
        log(started(), module_ids=("basics", "astrology"))


def test_a_module_named_twice_in_a_session_counts_once() -> None:
    [session] = log(started(), module_ids=("basics", "basics")).tracking.sessions
    assert session.module_ids == ("basics",)


def test_logging_the_same_session_twice_changes_nothing_the_second_time() -> None:
    once = log(started()).tracking

    again = log(once)

    assert again == Transition(once, (), changed=False)


def test_the_same_session_id_with_other_values_is_a_conflict() -> None:
    once = log(started()).tracking

    with pytest.raises(Conflict, match="'s-1' was already logged"):
        log(once, duration_minutes=90)


def test_each_side_rates_a_session_separately() -> None:
    tracking = rate(rate(log(started()).tracking, "mentee", 5).tracking, "mentor", 3).tracking

    [session] = tracking.sessions
    assert (session.mentee_rating, session.mentor_rating) == (5, 3)


def test_a_side_may_change_its_rating() -> None:
    tracking = rate(log(started()).tracking, "mentee", 5).tracking

    [session] = rate(tracking, "mentee", 4).tracking.sessions

    assert session.mentee_rating == 4


def test_rating_the_same_again_changes_nothing() -> None:
    tracking = rate(log(started()).tracking, "mentee", 5).tracking

    assert rate(tracking, "mentee", 5) == Transition(tracking, (), changed=False)


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_one_to_five_is_invalid(rating: int) -> None:
    with pytest.raises(Invalid) as raised:
        rate(log(started()).tracking, "mentor", rating)
    assert raised.value.field == "rating"


def test_rating_an_unknown_session_names_it() -> None:
    with pytest.raises(NotFound, match="session 's-404' not found"):
        rate(log(started()).tracking, "mentee", 4, session_id="s-404")


def test_a_rating_is_signalled_with_the_side_that_rated() -> None:
    rated = rate(log(started()).tracking, "mentor", 2)

    assert rated.signals == (
        SessionRated(
            mentee_id=MENTEE,
            mentor_id=MENTOR,
            program_id=PROGRAM,
            session_id="s-1",
            rated_by="mentor",
            rating=2,
        ),
    )


def test_a_changed_rating_is_signalled_again() -> None:
    tracking = rate(log(started()).tracking, "mentee", 5).tracking

    [changed] = rate(tracking, "mentee", 3).signals

    assert isinstance(changed, SessionRated)
    assert changed.rating == 3


def test_a_rating_is_not_activity() -> None:
    logged = log(started()).tracking

    rated = rate(logged, "mentee", 4)

    assert not any(isinstance(s, MenteeBackOnTrack) for s in rated.signals)
    assert rated.tracking.last_activity_at == logged.last_activity_at


def test_a_rating_given_while_logging_is_kept_and_named_in_the_signal() -> None:
    transition = started().log_session(
        path=PATH,
        session_id="s-1",
        held_on=TODAY,
        duration_minutes=45,
        module_ids=(),
        notes=None,
        now=START,
        rating=4,
        by="mentee",
    )

    [logged] = transition.signals
    [session] = transition.tracking.sessions
    assert isinstance(logged, SessionLogged)
    assert logged.rated_by == ("mentee",)
    assert (session.mentee_rating, session.mentor_rating) == (4, None)


def test_a_session_logged_without_a_rating_names_nobody() -> None:
    [logged] = log(started()).signals

    assert isinstance(logged, SessionLogged)
    assert logged.rated_by == ()


def test_a_rating_while_logging_must_say_who_rates() -> None:
    with pytest.raises(Invalid) as raised:
        started().log_session(
            path=PATH,
            session_id="s-1",
            held_on=TODAY,
            duration_minutes=45,
            module_ids=(),
            notes=None,
            now=START,
            rating=4,
        )
    assert raised.value.field == "by"


def test_a_session_delivered_again_after_being_rated_changes_nothing() -> None:
    rated = rate(log(started()).tracking, "mentor", 4).tracking

    assert not log(rated).changed
