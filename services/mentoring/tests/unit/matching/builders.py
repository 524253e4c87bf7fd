"""Small profiles for tests: every field has a neutral default, tests set what they check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentoring.domain.matching import (
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    is_eligible,
    score_pair,
)

OFFICE_HOURS = frozenset(range(9, 17))  # Monday 09:00-17:00 UTC


def mentor(
    mentor_id: str = "mentor-a",
    *,
    languages: Iterable[str] = ("en",),
    utc_offset_minutes: int = 0,
    availability: Iterable[int] = OFFICE_HOURS,
    competencies: Mapping[str, int] | None = None,
    department: str | None = None,
    manager_id: str | None = None,
    capacity: int = 2,
    load: int = 0,
    max_capacity: int | None = None,
) -> MentorCandidate:
    return MentorCandidate(
        id=mentor_id,
        languages=frozenset(languages),
        utc_offset_minutes=utc_offset_minutes,
        availability=frozenset(availability),
        competencies={"purpose": 5} if competencies is None else competencies,
        department=department,
        manager_id=manager_id,
        capacity=capacity,
        load=load,
        max_capacity=max(1, capacity + load) if max_capacity is None else max_capacity,
    )


def mentee(
    mentee_id: str = "mentee-a",
    *,
    languages: Iterable[str] = ("en",),
    utc_offset_minutes: int = 0,
    availability: Iterable[int] = OFFICE_HOURS,
    goals: Mapping[str, int] | None = None,
    department: str | None = None,
    manager_id: str | None = None,
    ranked_mentors: tuple[str, ...] = (),
    excluded_mentors: Iterable[str] = (),
) -> MenteeCandidate:
    return MenteeCandidate(
        id=mentee_id,
        languages=frozenset(languages),
        utc_offset_minutes=utc_offset_minutes,
        availability=frozenset(availability),
        goals={"purpose": 3} if goals is None else goals,
        department=department,
        manager_id=manager_id,
        ranked_mentors=ranked_mentors,
        excluded_mentors=frozenset(excluded_mentors),
    )


MODULES = ("purpose", "community-rules", "digital-identity", "uses-for-my-job")


def random_people(
    rng: np.random.Generator, n_mentees: int, n_mentors: int, max_capacity: int = 3
) -> tuple[list[MenteeCandidate], list[MentorCandidate]]:
    """Coarse random profiles: few distinct values, so that scores often tie exactly."""

    def languages() -> list[str]:
        return list(rng.choice(["en", "fr", "de"], size=int(rng.integers(1, 3)), replace=False))

    def hours() -> list[int]:
        return [int(h) for h in rng.choice(24, size=int(rng.integers(0, 6)), replace=False)]

    def department() -> str | None:
        return [None, "sales", "it"][int(rng.integers(0, 3))]

    mentor_ids = [f"mentor-{j}" for j in range(n_mentors)]
    mentors = [
        mentor(
            mentor_ids[j],
            languages=languages(),
            utc_offset_minutes=int(rng.choice([0, 60, 120, 540])),
            availability=hours(),
            competencies={
                str(mod): int(rng.integers(1, 6))
                for mod in rng.choice(MODULES, size=int(rng.integers(0, 4)), replace=False)
            },
            department=department(),
            manager_id=f"mentee-{rng.integers(0, n_mentees)}" if rng.random() < 0.1 else None,
            capacity=int(rng.integers(1, max_capacity + 1)) if rng.random() < 0.9 else 0,
            load=int(rng.integers(0, 3)),
            max_capacity=int(rng.integers(3, 6)),
        )
        for j in range(n_mentors)
    ]
    mentees = [
        mentee(
            f"mentee-{i}",
            languages=languages(),
            utc_offset_minutes=int(rng.choice([0, 60, -300])),
            availability=hours(),
            goals={
                str(mod): int(rng.integers(1, 6))
                for mod in rng.choice(MODULES, size=int(rng.integers(0, 3)), replace=False)
            },
            department=department(),
            manager_id=str(rng.choice(mentor_ids)) if rng.random() < 0.1 else None,
            ranked_mentors=tuple(
                str(j)
                for j in rng.choice(
                    mentor_ids, size=min(n_mentors, int(rng.integers(0, 3))), replace=False
                )
            ),
            excluded_mentors=[str(rng.choice(mentor_ids))] if rng.random() < 0.1 else [],
        )
        for i in range(n_mentees)
    ]
    return mentees, mentors


def brute_force(
    mentees: list[MenteeCandidate],
    mentors: list[MentorCandidate],
    policy: MatchingPolicy,
    bonus_per_match: float = 0.0,
) -> tuple[int, float]:
    """(matches, total score) of the best assignment, by a dense Hungarian algorithm.

    Each mentor becomes `capacity` identical columns, each mentee gets its own "unmatched"
    column at cost 0, and a forbidden pair costs more than leaving the mentee unmatched. With
    `bonus_per_match` larger than any total score, the number of matches comes first.
    """
    slots = [j for j, m in enumerate(mentors) for _ in range(m.capacity)]
    forbidden = 1e9
    cost = np.zeros((len(mentees), len(slots) + len(mentees)))
    for i, e in enumerate(mentees):
        for s, j in enumerate(slots):
            if is_eligible(e, mentors[j]):
                cost[i, s] = -(score_pair(e, mentors[j], policy).score + bonus_per_match)
            else:
                cost[i, s] = forbidden
    rows, cols = linear_sum_assignment(cost)
    matched = [(i, slots[c]) for i, c in zip(rows, cols, strict=True) if c < len(slots)]
    assert all(cost[i, c] < forbidden for i, c in zip(rows, cols, strict=True))
    total = sum(score_pair(mentees[i], mentors[j], policy).score for i, j in matched)
    return len(matched), total
