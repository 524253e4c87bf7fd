"""Stability report: the pairs that would rather be together than with what the run gave them.

Both sides rank by the pair score. An eligible pair (i, j), not matched together, blocks when i
prefers j (i is unmatched, or scores higher with j than with its mentor) and j prefers i (j has a
free place left, or scores higher with i than with its weakest mentee).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from mentoring.domain.matching.model import (
    Assignment,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
)
from mentoring.domain.matching.pool import INELIGIBLE, Ints, MentorPool, Points, row_blocks


def count_blocking(scores: Points, capacity: Ints, mentor_of: Ints) -> int:
    """Blocking pairs of an assignment; `mentor_of[i]` is mentee i's mentor, -1 if none.

    `scores` is a `ScoreTable`'s: micro-points, INELIGIBLE (-1, below every real score) where a
    hard constraint forbids the pair.
    """
    score_of, threshold = _preferences(scores, capacity, mentor_of)
    count = 0
    for rows in row_blocks(*scores.shape):
        block = scores[rows]
        eligible = block != INELIGIBLE
        # A matched pair scores exactly score_of[i], so it never passes the strict comparison.
        mentee_prefers = block > score_of[rows, None]
        mentor_prefers = block > threshold[None, :]
        count += int(np.count_nonzero(eligible & mentee_prefers & mentor_prefers))
    return count


def list_blocking(scores: Points, capacity: Ints, mentor_of: Ints) -> list[tuple[int, int]]:
    """The blocking pairs of an assignment as (mentee row, mentor column), by mentee then mentor;
    the same pairs ``count_blocking`` counts."""
    mentee_score, threshold = _preferences(scores, capacity, mentor_of)
    found: list[tuple[int, int]] = []
    for rows in row_blocks(*scores.shape):
        block = scores[rows]
        blocks = (block != INELIGIBLE) & (block > mentee_score[rows, None])
        blocks &= block > threshold[None, :]
        r, c = np.nonzero(blocks)
        found.extend(zip((r + rows.start).tolist(), c.tolist(), strict=True))
    return found


def preferences(
    scores: Points, capacity: Ints, mentor_of: Ints
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Per mentee, the score with their mentor (INELIGIBLE when unmatched); per mentor, the
    score of their weakest mentee and how many they were given."""
    n, m = scores.shape
    matched = np.flatnonzero(mentor_of >= 0)
    score_of = np.full(n, INELIGIBLE, dtype=np.int64)
    score_of[matched] = scores[matched, mentor_of[matched]]
    taken = np.bincount(mentor_of[matched], minlength=m).astype(np.int64)
    weakest = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(weakest, mentor_of[matched], score_of[matched])
    return score_of, weakest, taken


def _preferences(
    scores: Points, capacity: Ints, mentor_of: Ints
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The score each mentee must beat to prefer a pair, and each mentor's: a mentor with a
    free place prefers anyone eligible (any score beats INELIGIBLE)."""
    score_of, weakest, taken = preferences(scores, capacity, mentor_of)
    return score_of, np.where(taken < capacity, INELIGIBLE, weakest)


def blocking_pairs(
    mentees: Iterable[MenteeCandidate],
    mentors: Iterable[MentorCandidate],
    policy: MatchingPolicy,
    assignments: Iterable[Assignment],
) -> int:
    """The number of blocking pairs of any assignment (e.g. one made by hand or by a baseline)."""
    pool = MentorPool(mentors, policy)
    batch = pool.encode(mentees)
    row = {mentee.id: i for i, mentee in enumerate(batch.mentees)}
    mentor_of = np.full(len(batch), -1, dtype=np.int64)
    for assignment in assignments:
        mentor_of[row[assignment.mentee_id]] = pool.index[assignment.mentor_id]
    return count_blocking(pool.table(batch).scores, pool.capacity, mentor_of)
