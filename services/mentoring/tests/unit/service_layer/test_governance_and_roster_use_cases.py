"""Closing a program, its admins, its roster and report, and an admin's language, on the fakes."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.domain.errors import Conflict, Forbidden, Invalid
from mentoring.domain.matches import MatchStatus
from mentoring.domain.programs import LastAdmin, ProgramStatus
from mentoring.domain.roster import Standing
from mentoring.service_layer import admin_language, governance, handlers, report, roster
from mentoring.service_layer import commands as cmd
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    pair,
    person,
    proposal,
    register,
)

GRACE = person("u-grace", "mentor")
CLOSE = ProgramStatus.CLOSED


async def test_a_program_with_an_open_proposal_does_not_close() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await proposal(fakes, made.id, mentee, mentor)

    with pytest.raises(Conflict, match="open proposals"):
        await governance.update_program(
            cmd.UpdateProgram(ADMIN, made.id, status=CLOSE), fakes.context()
        )

    assert fakes.store.programs[made.id].status is ProgramStatus.OPEN


async def test_closing_a_program_completes_its_active_matches() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    closed = await governance.update_program(
        cmd.UpdateProgram(ADMIN, made.id, status=CLOSE), fakes.context()
    )

    assert closed.status is ProgramStatus.CLOSED
    ended = fakes.store.matches[match.id]
    assert (ended.status, ended.reason) == (MatchStatus.COMPLETED, governance.CLOSING_REASON)
    assert fakes.store.participants[mentor.id].open_matches == ()
    assert fakes.kinds()[-1] == "MatchEnded"


async def test_only_its_admins_close_a_program() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)

    with pytest.raises(Forbidden):
        await governance.update_program(
            cmd.UpdateProgram(OTHER_ADMIN, made.id, status=CLOSE), fakes.context()
        )


async def test_an_admin_added_takes_their_details_from_their_participation() -> None:
    fakes = Fakes()
    made, _, mentor = await pair(fakes)

    updated = await governance.add_admin(cmd.AddAdmin(ADMIN, made.id, "u-grace"), fakes.context())

    added = next(a for a in updated.admins if a.user_id == "u-grace")
    assert (added.display_name, added.email, added.language) == (
        mentor.display_name,
        mentor.email,
        mentor.language,
    )
    assert fakes.store.programs[made.id].admin_ids == ("u-admin", "u-grace")
    assert fakes.kinds()[-2:] == ["ProgramPublished", "AdminActionRecorded"]


async def test_an_admin_added_again_changes_nothing() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)
    add = cmd.AddAdmin(ADMIN, made.id, "u-other-admin", "Otto", "otto@example.org", "en")
    await governance.add_admin(add, fakes.context())
    published = len(fakes.published)

    await governance.add_admin(add, fakes.context())

    assert len(fakes.published) == published


async def test_only_its_admins_add_or_remove_admins() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)

    with pytest.raises(Forbidden):
        await governance.add_admin(cmd.AddAdmin(OTHER_ADMIN, made.id, "u-x"), fakes.context())
    with pytest.raises(Forbidden):
        await governance.remove_admin(
            cmd.RemoveAdmin(OTHER_ADMIN, made.id, "u-admin"), fakes.context()
        )


async def test_an_admin_is_removed_but_never_the_last_one() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)
    await governance.add_admin(
        cmd.AddAdmin(ADMIN, made.id, "u-other-admin", "Otto", language="en"), fakes.context()
    )

    removed = await governance.remove_admin(
        cmd.RemoveAdmin(ADMIN, made.id, "u-other-admin"), fakes.context()
    )

    assert removed.admin_ids == ("u-admin",)
    with pytest.raises(LastAdmin):
        await governance.remove_admin(cmd.RemoveAdmin(ADMIN, made.id, "u-admin"), fakes.context())


async def test_an_admins_language_is_that_of_their_latest_registration_else_english() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)
    assert await admin_language.profile_language(fakes.roster, "u-nobody") == "en"
    await register(fakes, made.id, "u-zoe", "mentor", language="fr")

    assert await admin_language.profile_language(fakes.roster, "u-zoe") == "fr"


def _admin_languages(fakes: Fakes, user_id: str) -> dict[str, str]:
    return {
        p.id: a.language
        for p in fakes.store.programs.values()
        for a in p.admins
        if a.user_id == user_id
    }


async def test_an_admins_language_follows_their_profile_in_every_program_they_run() -> None:
    fakes = Fakes()
    made, _, mentor = await pair(fakes)
    elsewhere = await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Elsewhere", "", "lp-1"), fakes.context()
    )
    for program_id in (made.id, elsewhere.id):
        await governance.add_admin(cmd.AddAdmin(ADMIN, program_id, "u-grace"), fakes.context())
    assert _admin_languages(fakes, "u-grace") == {made.id: "en", elsewhere.id: "en"}
    published = len(fakes.published)

    await handlers.update_participant(
        cmd.UpdateParticipant(GRACE, mentor.id, cmd.ParticipantChanges(language="fr")),
        fakes.context(),
    )
    [changed] = fakes.published[published:]
    await governance.on_participant_changed(changed, fakes.context())

    assert _admin_languages(fakes, "u-grace") == {made.id: "fr", elsewhere.id: "fr"}
    republished = fakes.published[published + 1 :]
    assert {e.data.program_id for e in republished} == {made.id, elsewhere.id}
    for event in republished:
        assert type(event.data).__name__ == "ProgramPublished"
        assert {a.user_id: a.language for a in event.data.admins} == {
            "u-admin": "en",
            "u-grace": "fr",
        }
    # the event again (a redelivery) changes nothing
    await governance.on_participant_changed(changed, fakes.context())
    assert len(fakes.published) == published + 3


async def test_an_admin_registered_in_their_program_keeps_that_participations_language() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)
    elsewhere = await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Elsewhere", "", "lp-1"), fakes.context()
    )
    for program_id in (made.id, elsewhere.id):
        await governance.add_admin(cmd.AddAdmin(ADMIN, program_id, "u-grace"), fakes.context())
    published = len(fakes.published)

    # a later registration in French elsewhere: her latest, but not her profile in `made`
    await register(fakes, elsewhere.id, "u-grace", "mentee", language="fr")
    [registered] = fakes.published[published:]
    await governance.on_participant_changed(registered, fakes.context())

    assert _admin_languages(fakes, "u-grace") == {made.id: "en", elsewhere.id: "fr"}


async def test_a_profile_change_other_than_language_leaves_admin_entries_alone() -> None:
    fakes = Fakes()
    made, _, mentor = await pair(fakes)
    await governance.add_admin(cmd.AddAdmin(ADMIN, made.id, "u-grace"), fakes.context())
    published = len(fakes.published)

    await handlers.update_participant(
        cmd.UpdateParticipant(GRACE, mentor.id, cmd.ParticipantChanges(display_name="G. H.")),
        fakes.context(),
    )
    [changed] = fakes.published[published:]
    await governance.on_participant_changed(changed, fakes.context())

    assert len(fakes.published) == published + 1


async def test_a_roster_lists_each_participant_with_their_standing_page_by_page() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    waiting = await register(fakes, made.id, "u-bob", "mentee")
    await proposal(fakes, made.id, mentee, mentor)

    first = await roster.participants(
        fakes.context(), ADMIN, made.id, role=None, wanted=None, search=None, first=2, after=None
    )
    rest = await roster.participants(
        fakes.context(),
        ADMIN,
        made.id,
        role=None,
        wanted=None,
        search=None,
        first=2,
        after=first.next_cursor,
    )

    standings = {e.participant.id: e.standing for e in first.items + rest.items}
    assert standings == {
        mentee.id: Standing.PROPOSED,
        mentor.id: Standing.PROPOSED,
        waiting.id: Standing.UNMATCHED,
    }
    assert rest.next_cursor is None


async def test_a_roster_is_filtered_by_role_standing_and_search() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await register(fakes, made.id, "u-bob", "mentee")
    await proposal(fakes, made.id, mentee, mentor)

    async def ids(
        role: str | None = None, wanted: Standing | None = None, search: str | None = None
    ) -> list[str]:
        page = await roster.participants(
            fakes.context(),
            ADMIN,
            made.id,
            role=role,
            wanted=wanted,
            search=search,
            first=10,
            after=None,
        )
        return [e.participant.id for e in page.items]

    assert await ids(role="mentor") == [mentor.id]
    assert await ids(role="mentee", wanted=Standing.PROPOSED) == [mentee.id]
    assert await ids(search="grace") == [mentor.id]
    with pytest.raises(Invalid):
        await ids(search="x" * 500)


async def test_only_its_admins_read_a_programs_roster() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)

    with pytest.raises(Forbidden):
        await roster.participants(
            fakes.context(),
            OTHER_ADMIN,
            made.id,
            role=None,
            wanted=None,
            search=None,
            first=5,
            after=None,
        )
    with pytest.raises(Forbidden):
        await roster.mentor_loads(fakes.context(), OTHER_ADMIN, made.id, first=5, after=None)


async def test_mentor_loads_list_each_active_mentor_with_their_open_matches() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    idle = await register(fakes, made.id, "u-linus", "mentor")
    match = await proposal(fakes, made.id, mentee, mentor)

    page = await roster.mentor_loads(fakes.context(), ADMIN, made.id, first=10, after=None)

    loads = {load.mentor.id: [m.id for m in load.open_matches] for load in page.items}
    assert loads == {mentor.id: [match.id], idle.id: []}


async def test_a_person_reads_their_participations_with_their_standing_and_program() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await proposal(fakes, made.id, mentee, mentor)

    mine = await roster.participations(fakes.context(), person("u-ada", "mentee"))
    nothing = await roster.participations(fakes.context(), person("u-nobody", "mentee"))

    assert [(p.participant.id, p.standing, p.program.id) for p in mine] == [
        (mentee.id, Standing.PROPOSED, made.id)
    ]
    assert nothing == []


async def test_a_programs_report_counts_its_funnel_and_its_mentors_load() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())
    today = fakes.clock().date()

    funnel = await report.program_report(fakes.context(), ADMIN, made.id, today, today)

    counts = {step.stage: step.count for step in funnel.funnel}
    assert counts == {"registered": 1, "proposed": 1, "accepted": 1, "active": 1, "completed": 0}
    assert [(m.mentor.id, m.active) for m in funnel.mentors] == [(mentor.id, 1)]


async def test_a_report_covers_a_period_of_a_year_at_most_for_the_programs_admins() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)

    with pytest.raises(Invalid):
        await report.program_report(
            fakes.context(), ADMIN, made.id, date(2026, 5, 2), date(2026, 5, 1)
        )
    with pytest.raises(Invalid):
        await report.program_report(
            fakes.context(), ADMIN, made.id, date(2024, 1, 1), date(2026, 1, 1)
        )
    with pytest.raises(Forbidden):
        await report.program_report(
            fakes.context(), OTHER_ADMIN, made.id, date(2026, 1, 1), date(2026, 1, 2)
        )
