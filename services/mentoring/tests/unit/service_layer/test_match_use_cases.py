"""Proposals, answers, ends, expiry and escalation, suggestions and cancellation, on the fakes."""

from __future__ import annotations

import pytest

from mentoring.domain.errors import CapacityFull, Conflict, Forbidden, Invalid, InvalidTransition
from mentoring.domain.matches import MatchStatus, ProposedBy
from mentoring.domain.programs import ProgramStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import handlers, queries
from mentoring.service_layer.cancellation import cancel_proposal
from mentorship_runtime.request_keys import KeyReused
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    STRANGER,
    pair,
    person,
    proposal,
    register,
)

GRACE = person("u-grace", "mentor")
ADA = person("u-ada", "mentee")


async def test_an_admin_proposes_a_match_which_holds_a_place_on_both_sides() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)

    match = await proposal(fakes, made.id, mentee, mentor)

    assert match.status is MatchStatus.PROPOSED
    assert match.proposed_by is ProposedBy.ADMIN
    assert fakes.store.matches[match.id] == match
    assert fakes.store.participants[mentee.id].open_matches == (match.id,)
    assert fakes.store.participants[mentor.id].open_matches == (match.id,)
    assert fakes.kinds()[-2:] == ["MatchProposed", "AdminActionRecorded"]


async def test_a_mentee_proposes_a_mentor_to_themselves() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)

    match = await handlers.propose_match(
        cmd.ProposeMatch(ADA, mentee.id, mentor.id), fakes.context()
    )

    assert match.proposed_by is ProposedBy.MENTEE


async def test_nobody_else_proposes_for_a_mentee() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)

    with pytest.raises(Forbidden):
        await handlers.propose_match(
            cmd.ProposeMatch(STRANGER, mentee.id, mentor.id), fakes.context()
        )


async def test_a_mentee_has_one_open_match_at_most() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    other = await register(fakes, made.id, "u-linus", "mentor")
    await proposal(fakes, made.id, mentee, mentor)

    with pytest.raises(Conflict, match="already has an open match"):
        await proposal(fakes, made.id, mentee, other)

    assert fakes.store.participants[other.id].open_matches == ()


async def test_a_mentor_without_a_free_place_is_refused() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes, default_mentor_capacity=1)
    await proposal(fakes, made.id, mentee, mentor)
    second = await register(fakes, made.id, "u-bob", "mentee")

    with pytest.raises(CapacityFull):
        await proposal(fakes, made.id, second, mentor)

    assert fakes.store.participants[second.id].open_matches == ()


async def test_a_proposal_sent_again_with_its_key_is_the_same_match() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)
    propose = cmd.ProposeMatch(ADMIN, mentee.id, mentor.id, idempotency_key="k-m")

    first = await handlers.propose_match(propose, fakes.context())
    again = await handlers.propose_match(propose, fakes.context())

    assert again == first
    assert fakes.kinds().count("MatchProposed") == 1


async def test_a_proposal_key_reused_for_another_pair_is_refused() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    other = await register(fakes, made.id, "u-linus", "mentor")
    await handlers.propose_match(
        cmd.ProposeMatch(ADMIN, mentee.id, mentor.id, idempotency_key="k-m"), fakes.context()
    )

    with pytest.raises(KeyReused):
        await handlers.propose_match(
            cmd.ProposeMatch(ADMIN, mentee.id, other.id, idempotency_key="k-m"), fakes.context()
        )


async def test_the_mentor_accepts_once_and_the_match_is_active() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    accepted = await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())
    again = await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    assert accepted.status is again.status is MatchStatus.ACTIVE
    assert fakes.store.matches[match.id].status is MatchStatus.ACTIVE
    assert fakes.kinds().count("MatchAccepted") == 1


async def test_nobody_but_the_mentor_accepts() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    with pytest.raises(Forbidden):
        await handlers.accept_match(cmd.AcceptMatch(STRANGER, match.id), fakes.context())


async def test_a_declined_proposal_frees_the_places_and_the_next_best_mentor_is_proposed() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    second = await register(fakes, made.id, "u-linus", "mentor")
    match = await proposal(fakes, made.id, mentee, mentor)

    declined = await handlers.decline_match(
        cmd.DeclineMatch(GRACE, match.id, "too busy"), fakes.context()
    )

    assert declined.status is MatchStatus.DECLINED
    assert fakes.store.participants[mentor.id].open_matches == ()
    (escalation,) = [m for m in fakes.store.matches.values() if m.id != match.id]
    assert escalation.proposed_by is ProposedBy.ESCALATION
    assert escalation.mentor.participant_id == second.id
    assert fakes.kinds()[-2:] == ["MatchDeclined", "MatchProposed"]


async def test_a_decline_sent_again_changes_nothing() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.decline_match(cmd.DeclineMatch(GRACE, match.id), fakes.context())

    again = await handlers.decline_match(cmd.DeclineMatch(GRACE, match.id), fakes.context())

    assert again.status is MatchStatus.DECLINED
    assert fakes.kinds().count("MatchDeclined") == 1


async def test_without_another_mentor_nothing_is_proposed_next() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    declined = await handlers.decline_match(cmd.DeclineMatch(GRACE, match.id), fakes.context())

    assert await handlers.propose_next_best(declined, fakes.context()) is None
    assert list(fakes.store.matches) == [match.id]


async def test_a_side_ends_an_active_match_and_the_places_are_released() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    ended = await handlers.end_match(
        cmd.EndMatch(ADA, match.id, "completed", "done"), fakes.context()
    )

    assert ended.status is MatchStatus.COMPLETED
    assert fakes.store.participants[mentee.id].open_matches == ()
    assert fakes.store.participants[mentor.id].open_matches == ()
    assert fakes.kinds()[-1] == "MatchEnded"


async def test_only_its_sides_and_the_programs_admins_end_a_match() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    with pytest.raises(Forbidden):
        await handlers.end_match(
            cmd.EndMatch(OTHER_ADMIN, match.id, "ended_early"), fakes.context()
        )
    ended = await handlers.end_match(cmd.EndMatch(ADMIN, match.id, "ended_early"), fakes.context())
    assert ended.status is MatchStatus.ENDED_EARLY


async def test_a_closed_programs_proposal_cannot_be_accepted() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    closed = await fakes.store.program(made.id)
    fakes.store.programs[made.id] = closed.change_status(ProgramStatus.CLOSED)

    with pytest.raises(Conflict, match="closed"):
        await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())


async def test_proposals_past_their_deadline_expire_and_the_next_best_mentor_is_proposed() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes, proposal_expiry_days=2)
    second = await register(fakes, made.id, "u-linus", "mentor")
    match = await proposal(fakes, made.id, mentee, mentor)
    assert await handlers.expire_due_proposals(fakes.context()) == []

    fakes.clock.advance(days=3)
    expired = await handlers.expire_due_proposals(fakes.context())

    assert [m.id for m in expired] == [match.id]
    assert fakes.store.matches[match.id].status is MatchStatus.EXPIRED
    assert fakes.store.participants[mentor.id].open_matches == ()
    (escalation,) = [m for m in fakes.store.matches.values() if m.id != match.id]
    assert escalation.mentor.participant_id == second.id
    assert escalation.status is MatchStatus.PROPOSED


async def test_a_mentee_is_suggested_the_mentors_who_suit_them_best_first() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await register(fakes, made.id, "u-linus", "mentor", competencies={"cooking": 3})

    suggested = await queries.suggest_mentors(fakes.context(), ADA, mentee.id, 5)

    assert suggested[0][1].id == mentor.id
    assert suggested[0][0].score > suggested[-1][0].score


async def test_suggestions_are_for_mentees_and_only_for_themselves_or_admins() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)

    with pytest.raises(Invalid):
        await queries.suggest_mentors(fakes.context(), ADMIN, mentor.id, 5)
    with pytest.raises(Forbidden):
        await queries.suggest_mentors(fakes.context(), STRANGER, mentee.id, 5)


async def test_an_admin_cancels_a_proposal_once_and_the_places_are_released() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await register(fakes, made.id, "u-linus", "mentor")
    match = await proposal(fakes, made.id, mentee, mentor)
    cancel = cmd.CancelProposal(ADMIN, match.id, "wrong pair")

    cancelled = await cancel_proposal(cancel, fakes.context())
    again = await cancel_proposal(cancel, fakes.context())

    assert cancelled.status is again.status is MatchStatus.CANCELLED
    assert fakes.store.participants[mentee.id].open_matches == ()
    assert fakes.store.participants[mentor.id].open_matches == ()
    assert fakes.kinds()[-2:] == ["MatchCancelled", "AdminActionRecorded"]
    assert len(fakes.store.matches) == 1  # no next mentor proposed automatically


async def test_only_the_programs_admins_cancel_a_proposal() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    with pytest.raises(Forbidden):
        await cancel_proposal(cmd.CancelProposal(GRACE, match.id, "no"), fakes.context())


async def test_an_answered_proposal_cannot_be_cancelled() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    with pytest.raises(InvalidTransition):
        await cancel_proposal(cmd.CancelProposal(ADMIN, match.id, "late"), fakes.context())


async def test_a_mentor_withdrawing_ends_their_matches_and_their_mentees_get_the_next_best() -> (
    None
):
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    second = await register(fakes, made.id, "u-linus", "mentor")
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    withdrawn = await handlers.withdraw_participant(
        cmd.WithdrawParticipant(GRACE, mentor.id), fakes.context()
    )

    assert withdrawn.open_matches == ()
    assert fakes.store.matches[match.id].status is MatchStatus.ENDED_EARLY
    (next_best,) = [m for m in fakes.store.matches.values() if m.id != match.id]
    assert next_best.mentor.participant_id == second.id


async def test_a_withdrawal_gives_the_side_that_left_as_the_reason_never_the_name() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.accept_match(cmd.AcceptMatch(GRACE, match.id), fakes.context())

    await handlers.withdraw_participant(cmd.WithdrawParticipant(ADA, mentee.id), fakes.context())

    ended = fakes.store.matches[match.id]
    assert (ended.status, ended.reason) == (
        MatchStatus.ENDED_EARLY,
        "the mentee withdrew from the program",
    )
    event = fakes.published[-1].data
    assert (type(event).__name__, event.reason) == ("MatchEnded", ended.reason)
    assert mentee.display_name not in repr(fakes.published[-1])


@pytest.mark.parametrize("side", ["mentee", "mentor"])
async def test_withdrawing_from_an_unanswered_proposal_closes_it_on_the_side_that_left(
    side: str,
) -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    leaving = mentee if side == "mentee" else mentor

    await handlers.withdraw_participant(cmd.WithdrawParticipant(ADMIN, leaving.id), fakes.context())

    declined = fakes.store.matches[match.id]
    assert (declined.status, declined.declined_by, declined.withdrawn, declined.reason) == (
        MatchStatus.DECLINED,
        side,
        True,
        f"the {side} withdrew from the program",
    )
    (event,) = [e.data for e in fakes.published if type(e.data).__name__ == "MatchDeclined"]
    assert (event.declined_by, event.withdrawn, event.reason) == (side, True, declined.reason)


async def test_a_decline_is_not_a_withdrawal() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    await handlers.decline_match(cmd.DeclineMatch(GRACE, match.id, "no time"), fakes.context())

    (event,) = [e.data for e in fakes.published if type(e.data).__name__ == "MatchDeclined"]
    assert (event.declined_by, event.withdrawn) == ("mentor", False)
