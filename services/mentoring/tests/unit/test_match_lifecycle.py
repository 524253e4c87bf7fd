from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mentoring.domain.errors import Forbidden, Invalid, InvalidTransition
from mentoring.domain.matches import Match, MatchStatus, ProposedBy, Side, awaits_proposal

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MENTEE = Side("pt-ada", "u-ada", "Ada")
MENTOR = Side("pt-grace", "u-grace", "Grace")


def proposal(expiry_days: int = 7) -> Match:
    return Match.propose(
        match_id="m-1",
        program_id="pg-1",
        learning_path_id="social-business",
        mentee=MENTEE,
        mentor=MENTOR,
        proposed_by=ProposedBy.ADMIN,
        score=81.5,
        reasons=("covers 3 of 4 goals",),
        now=NOW,
        expiry_days=expiry_days,
    )


def test_a_proposal_expires_after_the_programs_delay() -> None:
    assert proposal(expiry_days=5).expires_at == NOW + timedelta(days=5)


def test_the_proposed_mentor_accepts_and_the_match_becomes_active() -> None:
    accepted = proposal().accept(by_user="u-grace", now=NOW + timedelta(hours=2))

    assert accepted.status is MatchStatus.ACTIVE
    assert accepted.decided_at == NOW + timedelta(hours=2)


def test_nobody_but_the_proposed_mentor_accepts() -> None:
    with pytest.raises(Forbidden):
        proposal().accept(by_user="u-ada", now=NOW)


def test_a_proposal_past_its_deadline_cannot_be_accepted() -> None:
    with pytest.raises(InvalidTransition, match="expired"):
        proposal(expiry_days=1).accept(by_user="u-grace", now=NOW + timedelta(days=2))


def test_declining_keeps_the_reason() -> None:
    declined = proposal().decline(by_user="u-grace", now=NOW, reason="no time this quarter")

    assert declined.status is MatchStatus.DECLINED
    assert declined.reason == "no time this quarter"


def test_a_proposal_expires_only_once_due() -> None:
    with pytest.raises(InvalidTransition, match="not yet due"):
        proposal(expiry_days=7).expire(now=NOW + timedelta(days=6))

    assert proposal(expiry_days=7).expire(now=NOW + timedelta(days=7)).status is MatchStatus.EXPIRED


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("completed", MatchStatus.COMPLETED), ("ended_early", MatchStatus.ENDED_EARLY)],
)
def test_an_active_match_ends_with_its_outcome(outcome: str, status: MatchStatus) -> None:
    active = proposal().accept(by_user="u-grace", now=NOW)

    ended = active.end(outcome=outcome, now=NOW + timedelta(days=90), reason="done")  # type: ignore[arg-type]

    assert ended.status is status
    assert ended.ended_at == NOW + timedelta(days=90)


def test_invalid_transitions_name_the_current_state() -> None:
    declined = proposal().decline(by_user="u-grace", now=NOW, reason=None)

    with pytest.raises(InvalidTransition) as raised:
        declined.accept(by_user="u-grace", now=NOW)
    assert raised.value.current == "declined"
    assert "it is declined" in str(raised.value)

    with pytest.raises(InvalidTransition, match="it is proposed"):
        proposal().end(outcome="completed", now=NOW, reason=None)

    with pytest.raises(InvalidTransition, match="it is active"):
        proposal().accept(by_user="u-grace", now=NOW).decline(
            by_user="u-grace", now=NOW, reason=None
        )


def test_nobody_mentors_themselves() -> None:
    with pytest.raises(Invalid, match="own mentor"):
        Match.propose(
            match_id="m-2",
            program_id="pg-1",
            learning_path_id="p",
            mentee=MENTEE,
            mentor=Side("pt-other", "u-ada", "Ada again"),
            proposed_by=ProposedBy.MENTEE,
            score=None,
            reasons=(),
            now=NOW,
            expiry_days=7,
        )


def mutual() -> Match:
    return replace(proposal(), mentee_must_accept=True)


def test_an_admin_cancels_a_proposal_with_a_reason() -> None:
    cancelled = proposal().cancel(now=NOW, reason="Grace is Ada's manager's manager")

    assert cancelled.status is MatchStatus.CANCELLED
    assert not cancelled.status.is_open
    assert cancelled.reason == "Grace is Ada's manager's manager"


def test_a_cancellation_needs_a_reason() -> None:
    with pytest.raises(Invalid, match="reason"):
        proposal().cancel(now=NOW, reason="  ")


@pytest.mark.parametrize("answered", ["accept", "decline"])
def test_only_an_unanswered_proposal_can_be_cancelled(answered: str) -> None:
    if answered == "accept":
        match = proposal().accept(by_user="u-grace", now=NOW)
    else:
        match = proposal().decline(by_user="u-grace", now=NOW, reason=None)

    with pytest.raises(InvalidTransition, match="cancel"):
        match.cancel(now=NOW, reason="too late")


@pytest.mark.parametrize(("first", "second"), [("u-grace", "u-ada"), ("u-ada", "u-grace")])
def test_where_both_accept_the_match_starts_after_the_second_acceptance(
    first: str, second: str
) -> None:
    half = mutual().accept(by_user=first, now=NOW)

    assert half.status is MatchStatus.PROPOSED
    assert half.awaiting == ("mentee" if first == "u-grace" else "mentor")
    assert half.has_accepted(first)
    assert not half.has_accepted(second)
    both = half.accept(by_user=second, now=NOW + timedelta(hours=1))
    assert both.status is MatchStatus.ACTIVE
    assert both.decided_at == NOW + timedelta(hours=1)
    assert both.awaiting is None


@pytest.mark.parametrize(("who", "side"), [("u-ada", "mentee"), ("u-grace", "mentor")])
def test_where_both_accept_either_side_declining_declines(who: str, side: str) -> None:
    declined = (
        mutual().accept(by_user="u-grace", now=NOW).decline(by_user=who, now=NOW, reason="not now")
    )

    assert declined.status is MatchStatus.DECLINED
    assert declined.declined_by == side


def test_without_mutual_acceptance_the_mentee_neither_accepts_nor_declines() -> None:
    with pytest.raises(Forbidden):
        proposal().decline(by_user="u-ada", now=NOW, reason=None)
    assert proposal().party("u-ada") is None


@pytest.mark.parametrize(
    ("open_matches", "closed", "awaits"),
    [
        ((), (), True),
        (("m-1",), (), False),
        ((), (MatchStatus.COMPLETED,), False),
        ((), (MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.CANCELLED), True),
        ((), (MatchStatus.ENDED_EARLY,), True),
    ],
)
def test_a_run_proposes_only_to_mentees_without_an_open_or_completed_match(
    open_matches: tuple[str, ...], closed: tuple[MatchStatus, ...], awaits: bool
) -> None:
    assert awaits_proposal(open_matches, closed) is awaits


def test_a_decline_is_recognised_when_retried_by_the_side_that_declined() -> None:
    by_mentee = mutual().decline(by_user="u-ada", now=NOW, reason=None)
    from_before = replace(
        proposal().decline(by_user="u-grace", now=NOW, reason=None), declined_by=None
    )

    assert by_mentee.has_declined("u-ada")
    assert not by_mentee.has_declined("u-grace")
    assert from_before.has_declined("u-grace")  # stored before mutual acceptance existed
    assert not proposal().has_declined("u-grace")
