"""The lifecycle of a mentoring match (producer: mentoring; topic ``mentoring.matches``).

Keyed by mentee, so that every match of one mentee stays in order. Each payload carries what
consumers need (program, people's ids, learning path) so that nobody has to call back; people are
named by id only, their names being personal data that consumers look up (notify's directory).
Version 1 of four events also carried both names: they are still read, and no longer written.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id, Name, Text
from mentorship_contracts.topics import Topic


class _MatchEvent(EventPayload):
    match_id: Id
    program_id: Id
    mentee_id: Id
    mentor_id: Id


class MatchProposed(
    _MatchEvent,
    type="mentoring.match.proposed",
    version=2,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """A mentor is proposed to a mentee and must accept or decline before ``expires_at``."""

    proposed_by: Literal["admin", "cohort_run", "mentee", "escalation"]
    score: float | None = Field(default=None, ge=0, le=100)
    expires_at: datetime
    mentee_must_accept: bool = Field(
        default=False,
        description="The program asks both sides to accept: the match starts once the mentor "
        "and the mentee accepted (false: the mentor's acceptance starts it).",
    )


class MatchAcceptanceGiven(
    _MatchEvent,
    type="mentoring.match.acceptance_given",
    version=2,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """One side accepted a proposal that needs both sides (``mentee_must_accept``): the match
    stays proposed and waits for the other side until ``expires_at``."""

    accepted_by: Literal["mentee", "mentor"]
    expires_at: datetime


class MatchAccepted(
    _MatchEvent,
    type="mentoring.match.accepted",
    version=2,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """The mentor accepted: the mentoring starts on the program's learning path."""

    learning_path_id: Id | None = None
    mentee_user_id: Id | None = Field(default=None, description="The mentee's account (JWT sub).")
    mentor_user_id: Id | None = Field(default=None, description="The mentor's account (JWT sub).")


class MatchDeclined(
    _MatchEvent,
    type="mentoring.match.declined",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """The proposal was declined: by the mentor, or by the mentee where both sides accept; or
    it closed unanswered because one side withdrew from the program (``withdrawn``)."""

    reason: Text | None = None
    declined_by: Literal["mentee", "mentor"] | None = Field(
        default=None, description="Who declined; absent before mutual acceptance: the mentor."
    )
    withdrawn: bool = Field(
        default=False,
        description="The side in declined_by did not answer: they withdrew from the program, "
        "which closed the proposal.",
    )


class MatchExpired(
    _MatchEvent,
    type="mentoring.match.expired",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """The proposal waited longer than the program allows and lapsed."""


class MatchEnded(
    _MatchEvent,
    type="mentoring.match.ended",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """An active match finished, as planned or early."""

    outcome: Literal["completed", "ended_early"]
    reason: Text | None = None


class MatchCancelled(
    _MatchEvent,
    type="mentoring.match.cancelled",
    version=2,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """A program admin withdrew the proposal before it was answered; the mentor's place is free
    again and the mentee waits for another proposal."""

    reason: Text


class _BothNamed(EventPayload):
    """What version 1 of the events that named both sides added to version 2."""

    mentee_name: Name
    mentor_name: Name


class MatchProposedV1(
    MatchProposed,
    _BothNamed,
    type="mentoring.match.proposed",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """``MatchProposed`` as first written, with both names (read, no longer written)."""


class MatchAcceptanceGivenV1(
    MatchAcceptanceGiven,
    _BothNamed,
    type="mentoring.match.acceptance_given",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """``MatchAcceptanceGiven`` as first written, with both names (read, no longer written)."""


class MatchAcceptedV1(
    MatchAccepted,
    _BothNamed,
    type="mentoring.match.accepted",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """``MatchAccepted`` as first written, with both names (read, no longer written)."""


class MatchCancelledV1(
    MatchCancelled,
    _BothNamed,
    type="mentoring.match.cancelled",
    version=1,
    topic=Topic.MENTORING_MATCHES,
    key_field="mentee_id",
):
    """``MatchCancelled`` as first written, with both names (read, no longer written)."""
