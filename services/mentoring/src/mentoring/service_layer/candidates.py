"""Participants seen by the matching engine: UTC availability, free places, past mentors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from mentoring.domain.matching import Criterion, MatchingPolicy, MenteeCandidate, MentorCandidate
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program


def policy_of(program: Program) -> MatchingPolicy:
    return MatchingPolicy(
        weights={Criterion(name): weight for name, weight in program.settings.weights.items()},
        department_preference=program.settings.department_preference,
    )


def manager_lookup(participants: Iterable[Participant]) -> dict[str, str]:
    """user id -> participant id, to express reporting lines between participants."""
    return {p.user_id: p.id for p in participants}


def mentor_candidate(
    mentor: Participant, now: datetime, by_user: Mapping[str, str]
) -> MentorCandidate:
    return MentorCandidate(
        id=mentor.id,
        languages=mentor.languages,
        utc_offset_minutes=mentor.utc_offset_minutes(now),
        availability=mentor.availability_utc(now),
        competencies=dict(mentor.competencies),
        department=mentor.department,
        manager_id=by_user.get(mentor.manager_id) if mentor.manager_id else None,
        capacity=max(0, mentor.capacity - len(mentor.open_matches)),
        load=len(mentor.open_matches),
        max_capacity=max(1, mentor.capacity),
    )


def mentee_candidate(
    mentee: Participant,
    now: datetime,
    by_user: Mapping[str, str],
    past_mentors: Iterable[str] = (),
) -> MenteeCandidate:
    return MenteeCandidate(
        id=mentee.id,
        languages=mentee.languages,
        utc_offset_minutes=mentee.utc_offset_minutes(now),
        availability=mentee.availability_utc(now),
        goals=dict(mentee.goals),
        department=mentee.department,
        manager_id=by_user.get(mentee.manager_id) if mentee.manager_id else None,
        ranked_mentors=mentee.ranked_mentors,
        excluded_mentors=frozenset(past_mentors),
    )
