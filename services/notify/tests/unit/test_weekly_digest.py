"""The mentors' weekly digest in the domain: weeks on the mentor's clock (time zones,
daylight-saving changes, the turn of the ISO year), when a week's digest goes out, the status a
week leaves a mentee in, which mentees are still the mentor's, and the texts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notify.domain.directory import Language, Role
from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.preferences import Channel, Preferences
from notify.domain.weekly_digest import (
    Change,
    Entry,
    Match,
    Schedule,
    Status,
    Week,
    compose,
    digest_id,
    mentee_weeks,
    status_at_end,
    theirs_at,
)

from .builders import person

PARIS = "Europe/Paris"
GRACE = person("pt-grace", "Grace", roles=(Role.MENTOR,), user_id="u-grace")
GRACE_FR = person(
    "pt-grace", "Grace", roles=(Role.MENTOR,), user_id="u-grace", language=Language.FR
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("instant", "timezone", "week"),
    [
        # Paris in summer (UTC+2): Sunday 23:30, then Monday 00:30
        ("2026-06-28T21:30:00+00:00", PARIS, Week(2026, 26)),
        ("2026-06-28T22:30:00+00:00", PARIS, Week(2026, 27)),
        # the clocks went back on Sunday 25 October 2026 (UTC+1): the same UTC hours now fall
        # on Sunday evening
        ("2026-10-25T22:30:00+00:00", PARIS, Week(2026, 43)),
        ("2026-10-25T23:30:00+00:00", PARIS, Week(2026, 44)),
        # the same instant is in different weeks on different clocks
        ("2026-10-25T23:30:00+00:00", "America/New_York", Week(2026, 43)),
        # the turn of the ISO year: 2026 has 53 weeks, Sunday 3 January 2027 ends the 53rd
        ("2027-01-03T23:30:00+00:00", "UTC", Week(2026, 53)),
        ("2027-01-03T23:30:00+00:00", "Asia/Tokyo", Week(2027, 1)),
        ("2027-01-04T07:30:00+00:00", "America/Los_Angeles", Week(2026, 53)),
        ("2026-12-31T12:00:00+00:00", "UTC", Week(2026, 53)),
    ],
)
def test_an_event_belongs_to_the_iso_week_of_the_mentors_clock(
    instant: str, timezone: str, week: Week
) -> None:
    assert Week.of(at(instant), timezone) == week


def test_a_week_runs_from_monday_midnight_to_monday_midnight_on_the_mentors_clock() -> None:
    week = Week(2026, 43)  # Monday 19 to Sunday 25 October 2026, when Paris leaves summer time

    assert week.starts_at(PARIS) == at("2026-10-18T22:00:00+00:00")
    assert week.ends_at(PARIS) == at("2026-10-25T23:00:00+00:00")
    assert week.ends_at(PARIS) - week.starts_at(PARIS) == timedelta(hours=169)
    assert Week(2027, 12).ends_at(PARIS) - Week(2027, 12).starts_at(PARIS) == timedelta(hours=167)
    assert week.key == "2026-W43"
    assert Week.parse("2026-W43") == week
    assert Week.parse("2027-W01").monday.isoformat() == "2027-01-04"


def test_a_weeks_digest_goes_out_at_the_same_local_time_whatever_the_offset() -> None:
    monday_eight = Schedule()

    # Monday 08:00 in Paris: 06:00 UTC in summer time, 07:00 UTC after the change
    assert monday_eight.due_at(Week(2026, 42), PARIS) == at("2026-10-19T06:00:00+00:00")
    assert monday_eight.due_at(Week(2026, 43), PARIS) == at("2026-10-26T07:00:00+00:00")
    assert monday_eight.due_at(Week(2026, 43), "America/New_York") == at(
        "2026-10-26T12:00:00+00:00"
    )
    # the week of the ISO year's turn is told on Monday 4 January 2027
    assert monday_eight.due_at(Week(2026, 53), "UTC") == at("2027-01-04T08:00:00+00:00")
    # another day and time, as set
    assert Schedule.parse(5, "17:30").due_at(Week(2026, 43), PARIS) == at(
        "2026-10-30T16:30:00+00:00"
    )


def test_a_local_time_skipped_by_the_clocks_going_forward_falls_an_hour_later() -> None:
    # Paris skips from 02:00 to 03:00 on Sunday 28 March 2027
    sunday_half_past_two = Schedule(7, time(2, 30))

    due = sunday_half_past_two.due_at(Week(2027, 11), PARIS)

    assert due == at("2027-03-28T01:30:00+00:00")
    assert due.astimezone(ZoneInfo(PARIS)).time() == time(3, 30)


@pytest.mark.parametrize(
    ("weekday", "clock", "field"),
    [(0, "08:00", "weekday"), (8, "08:00", "weekday"), (1, "8h", "at"), (1, "24:00", "at")],
)
def test_a_schedule_names_a_weekday_and_a_time(weekday: int, clock: str, field: str) -> None:
    with pytest.raises(Invalid) as raised:
        Schedule.parse(weekday, clock)

    assert raised.value.field == field


@pytest.mark.parametrize("key", ["2026-W54", "2027-W53", "2026-43", "W43", "2026-Wxx"])
def test_a_week_that_is_not_an_iso_week_is_refused(key: str) -> None:
    with pytest.raises(Invalid):
        Week.parse(key)


def test_the_digest_id_derives_from_the_mentor_and_the_week() -> None:
    assert digest_id("pt-grace", Week(2026, 43)) == digest_id("pt-grace", Week(2026, 43))
    assert digest_id("pt-grace", Week(2026, 43)) != digest_id("pt-grace", Week(2026, 44))
    assert digest_id("pt-grace", Week(2026, 43)) != digest_id("pt-alan", Week(2026, 43))


def entry(
    event_id: str, change: Change, when: str, *, mentee: str = "pt-ada", **extra: Any
) -> Entry:
    return Entry(event_id, mentee, change, at(when), **extra)


DROP: dict[str, Any] = {"module_id": "purpose", "previous_confidence": 4, "confidence": 2}


def test_the_last_change_of_the_week_decides_the_status_whatever_the_order_of_arrival() -> None:
    stalled = entry("e-1", Change.STALLED, "2026-10-20T09:00:00+00:00")
    back = entry("e-2", Change.BACK_ON_TRACK, "2026-10-22T09:00:00+00:00")
    again = entry("e-3", Change.STILL_STALLED, "2026-10-24T09:00:00+00:00")
    done = entry("e-4", Change.PATH_COMPLETED, "2026-10-25T09:00:00+00:00")

    assert status_at_end([back, stalled]) is Status.ON_TRACK
    assert status_at_end([again, stalled, back]) is Status.STALLED
    assert status_at_end([done, again, back, stalled]) is Status.COMPLETED
    assert (
        status_at_end(
            [entry("e-5", Change.CONFIDENCE_DROPPED, "2026-10-20T09:00:00+00:00", **DROP)]
        )
        is Status.ON_TRACK
    )
    with pytest.raises(Invalid):
        status_at_end([])


def test_a_change_carries_what_its_text_needs() -> None:
    with pytest.raises(Invalid) as raised:
        entry("e-1", Change.CONFIDENCE_DROPPED, "2026-10-20T09:00:00+00:00")
    assert raised.value.field == "module_id"
    with pytest.raises(Invalid):
        Entry("e-1", "pt-ada", Change.STALLED, datetime(2026, 10, 20, 9))


def test_each_event_counts_once_and_mentees_come_by_name() -> None:
    zoe = entry("e-1", Change.STALLED, "2026-10-20T09:00:00+00:00", mentee="pt-zoe")
    ada = entry("e-2", Change.MODULE_COMPLETED, "2026-10-21T09:00:00+00:00", module_id="purpose")
    ada_again = entry(
        "e-2", Change.MODULE_COMPLETED, "2026-10-21T09:00:00+00:00", module_id="purpose"
    )
    ada_first = entry("e-3", Change.BACK_ON_TRACK, "2026-10-20T08:00:00+00:00")

    weeks = mentee_weeks([zoe, ada, ada_again, ada_first], {"pt-zoe": "zoé", "pt-ada": "Ada"})

    assert [w.mentee_id for w in weeks] == ["pt-ada", "pt-zoe"]
    assert [e.event_id for e in weeks[0].entries] == ["e-3", "e-2"]
    assert [w.status for w in weeks] == [Status.ON_TRACK, Status.STALLED]


def test_a_mentee_stays_the_mentors_unless_their_match_ended_by_the_end_of_the_week() -> None:
    end = at("2026-10-25T23:00:00+00:00")
    ended_in_week = Match(
        "pt-ada", at("2026-09-01T09:00:00+00:00"), at("2026-10-22T09:00:00+00:00")
    )
    ended_after = Match("pt-ada", at("2026-09-01T09:00:00+00:00"), at("2026-10-26T09:00:00+00:00"))
    matched_again = Match("pt-ada", at("2026-10-24T09:00:00+00:00"))
    end_only = Match("pt-ada", None, at("2026-10-22T09:00:00+00:00"))  # its acceptance is late

    assert theirs_at("pt-ada", [], end)  # notify has not heard of the match: the event said so
    assert not theirs_at("pt-ada", [ended_in_week], end)
    assert theirs_at("pt-ada", [ended_after], end)
    assert theirs_at("pt-ada", [ended_in_week, matched_again], end)
    assert not theirs_at("pt-ada", [end_only], end)
    assert theirs_at("pt-zoe", [ended_in_week], end)


def composed_for(mentor_language: Language) -> tuple[str, str, str]:
    mentor = GRACE_FR if mentor_language is Language.FR else GRACE
    entries = [
        entry("e-1", Change.STALLED, "2026-10-19T09:00:00+00:00", mentee="pt-bob"),
        entry("e-2", Change.CONFIDENCE_DROPPED, "2026-10-20T09:00:00+00:00", **DROP),
        entry("e-3", Change.MODULE_COMPLETED, "2026-10-25T22:30:00+00:00", module_id="basics"),
    ]
    names = {"pt-ada": "Ada", "pt-bob": "Bob <i>&</i> co"}
    result = compose(mentor, Week(2026, 43), mentee_weeks(entries, names), "Pilot", PARIS)
    return result.title, result.body, result.html


def test_the_digest_tells_each_mentee_their_status_and_what_happened_in_english() -> None:
    title, body, markup = composed_for(Language.EN)

    assert title == "Your week with your mentees: news of 2 mentees"
    assert body.startswith(
        "Hello Grace, here is how your mentees did in the week from Monday 19 October 2026 to "
        "Sunday 25 October 2026.\nProgram: Pilot\n"
    )
    assert "\nAda\nStatus at the end of the week: on track\n" in body
    assert (
        "- Tuesday 20 October 2026: confidence dropped in module purpose (4 to 2 out of 5)" in body
    )
    # 22:30 UTC on Sunday is 23:30 in Paris after the change of time: still that Sunday
    assert "- Sunday 25 October 2026: completed module basics" in body
    assert "\nBob <i>&</i> co\nStatus at the end of the week: stalled\n" in body
    assert "- Monday 19 October 2026: stalled: no activity lately" in body
    assert body.index("Ada") < body.index("Bob")
    assert "<h2>Bob &lt;i&gt;&amp;&lt;/i&gt; co</h2>" in markup
    assert "<i>" not in markup


def test_the_digest_is_in_french_for_a_french_speaking_mentor() -> None:
    title, body, markup = composed_for(Language.FR)

    assert title == "Votre semaine de mentorat : du nouveau pour 2 personnes"
    assert "pour la semaine du lundi 19 octobre 2026 au dimanche 25 octobre 2026." in body
    assert "Situation en fin de semaine : en bonne voie" in body
    assert (
        "- mardi 20 octobre 2026 : confiance en baisse sur le module purpose (4 à 2 sur 5)" in body
    )
    assert "Situation en fin de semaine : à l'arrêt" in markup.replace("&#x27;", "'")
    assert "Programme : Pilot" in body


def test_a_single_mentee_and_an_unknown_name_read_well() -> None:
    weeks = mentee_weeks([entry("e-1", Change.PATH_COMPLETED, "2026-10-20T09:00:00+00:00")], {})

    result = compose(GRACE, Week(2026, 43), weeks, None, PARIS)

    assert result.title == "Your week with your mentees: news of 1 mentee"
    assert "\nThe mentee\nStatus at the end of the week: learning path completed\n" in result.body
    assert "Program:" not in result.body
    with pytest.raises(Invalid):
        compose(GRACE, Week(2026, 43), [], None, PARIS)


def test_the_weekly_digest_alone_can_be_turned_off() -> None:
    off = Preferences.parse(
        "u-grace",
        channels={"mentor.weekly_digest": [], "progress.module_completed": []},
    )
    email_only = Preferences.parse("u-grace", channels={"mentor.weekly_digest": ["email"]})

    assert not off.wants(EventKind.MENTOR_WEEKLY_DIGEST)
    assert off.channels_for(EventKind.MENTOR_WEEKLY_DIGEST) == frozenset()
    assert off.wants(EventKind.MODULE_COMPLETED)  # the inbox keeps every other kind
    assert off.channels_for(EventKind.MODULE_COMPLETED) == {Channel.IN_APP}
    assert email_only.channels_for(EventKind.MENTOR_WEEKLY_DIGEST) == {
        Channel.IN_APP,
        Channel.EMAIL,
    }
    assert Preferences.default("u-grace").wants(EventKind.MENTOR_WEEKLY_DIGEST)


def test_a_module_is_named_by_its_title_in_the_mentors_language_or_the_paths() -> None:
    purpose = {"en": "Purpose and strategy", "fr": "Sens et stratégie"}
    weeks = mentee_weeks(
        [
            entry(
                "e-1",
                Change.MODULE_COMPLETED,
                "2026-10-20T09:00:00+00:00",
                module_id="purpose",
                path_language="en",
                module_titles=purpose,
            ),
            entry(
                "e-2",
                Change.MODULE_COMPLETED,
                "2026-10-21T09:00:00+00:00",
                module_id="own",
                path_language="en",
                module_titles={"en": "Our own module"},
            ),
        ],
        {"pt-ada": "Ada"},
    )

    french = compose(GRACE_FR, Week(2026, 43), weeks, None, PARIS).body
    english = compose(GRACE, Week(2026, 43), weeks, None, PARIS).body

    assert "module Sens et stratégie" in french
    assert "module Our own module" in french
    assert "completed module Purpose and strategy" in english
