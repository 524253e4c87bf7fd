"""Assign a cohort of mentees to mentors: an exact optimum with a certificate.

Scores are integers of micro-points (see `criteria`), so "exact" is meant literally. A run:

1. Survey: score every pair once, a block of mentees at a time, into an int32 table (-1 where a
   hard constraint forbids the pair: 4 bytes a pair, no float matrix). Candidates: each mentee's
   `TOP_PER_MENTEE` best mentors and each mentor's (largest capacity + `EXTRA_PER_MENTOR`) best
   mentees.
2. Solve on the candidates only (`bmatching`: an LP whose optimum is checked in integers), then
   certify against *every* eligible pair of the table: if no pair scores above its price bound
   u_i + v_j, the prices are feasible for the problem over all pairs and equal in value to the
   candidates' optimum, so by weak duality that optimum is the global one. Otherwise the pairs
   above their bound join the candidates and the LP is solved again; each round adds new pairs,
   so this ends (one round on realistic data, see the benchmark).
3. "most_matched" is lexicographic: first the largest number of matches k* (a maximum flow,
   certified the same way by a vertex cover). By complementary slackness with that cover, the
   assignments with k* matches are exactly those that use only pairs with one end in the cover
   and saturate every covered mentee and mentor. Step 2 then maximises the score over those.
4. Ties: mentees and mentors are sorted by id before anything else and every step is
   deterministic, so the same people in any order give the same result; among equally good
   assignments, exchanges that keep every score give places to earlier ids (`ties`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mentoring.domain.matching import bmatching
from mentoring.domain.matching.bmatching import Edges, Prices, Solution
from mentoring.domain.matching.criteria import score_pair
from mentoring.domain.matching.errors import InvalidPolicy
from mentoring.domain.matching.model import (
    MICRO,
    OBJECTIVES,
    Assignment,
    CohortResult,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    Unmatched,
)
from mentoring.domain.matching.pool import (
    BLOCK_PAIRS,
    INELIGIBLE,
    Ints,
    Mask,
    MentorPool,
    row_blocks,
)
from mentoring.domain.matching.stability import count_blocking
from mentoring.domain.matching.ties import prefer_earlier_ids

TOP_PER_MENTEE = 2
EXTRA_PER_MENTOR = 15

NO_SHARED_LANGUAGE = "no mentor shares a language"
ONLY_EXCLUDED = "every mentor sharing a language is excluded (reporting line, declined or ended)"
ALL_FULL = "every compatible mentor is full"
OUTMATCHED: dict[Objective, str] = {
    "best_fit": "compatible mentors went to better-fitting mentees",
    "most_matched": "compatible mentors' places went to others, to match as many as possible",
}


def match_cohort(
    mentees: Iterable[MenteeCandidate],
    mentors: Iterable[MentorCandidate],
    policy: MatchingPolicy,
    objective: Objective = "best_fit",
) -> CohortResult:
    """The optimal assignment for `objective`.

    "best_fit" maximises the total score; "most_matched" maximises the number of matched
    mentees, then the total score. A mentor gets at most `capacity` new mentees, a mentee at most
    one mentor, and only eligible pairs are used.
    """
    if objective not in OBJECTIVES:
        raise InvalidPolicy(f"unknown objective {objective!r}")
    run = _Run(MentorPool(mentors, policy), mentees)
    if objective == "most_matched":
        largest = run.certified(run.candidates, counting=True)
        cover = largest.prices
        edges = largest.edges.select(
            cover.mentee[largest.edges.mentee] + cover.mentor[largest.edges.mentor] == 1
        )
        solution = run.certified(edges, cover=cover)
    else:
        solution = run.certified(run.candidates)
    return run.result(objective, solution)


@dataclass(frozen=True, slots=True)
class _Certified:
    edges: Edges
    chosen: Mask
    prices: Prices


def _best_per_row(values: NDArray[np.signedinteger[Any]], k: int) -> tuple[Ints, Ints]:
    """(row, column) of the k largest values of each row, leaving out negative values."""
    width = values.shape[1]
    if width > k:
        cols = np.argpartition(values, width - k, axis=1)[:, width - k :]
    else:
        cols = np.broadcast_to(np.arange(width), values.shape)
    rows = np.broadcast_to(np.arange(values.shape[0])[:, None], cols.shape)
    keep = values[rows, cols] >= 0
    return rows[keep], cols[keep]


class _Run:
    def __init__(self, pool: MentorPool, mentees: Iterable[MenteeCandidate]) -> None:
        self.pool = pool
        self.batch = pool.encode(mentees)
        self.n, self.m = len(self.batch), len(pool)
        self.table = pool.table(self.batch)
        self.candidates = self._candidates()

    def _candidates(self) -> Edges:
        parts = []
        for rows in row_blocks(self.n, self.m):
            scores = self.table.scores[rows]
            r, c = _best_per_row(scores, TOP_PER_MENTEE)  # INELIGIBLE is negative
            parts.append(Edges(r + rows.start, c, scores[r, c].astype(np.int64)))
        keep = int(min(self.n, self.pool.capacity.max(initial=0) + EXTRA_PER_MENTOR))
        step = max(1, BLOCK_PAIRS // max(1, self.n))
        for first in range(0, self.m, step):
            columns = np.ascontiguousarray(self.table.scores[:, first : first + step].T)
            c, r = _best_per_row(columns, keep)
            parts.append(Edges(r, c + first, columns[c, r].astype(np.int64)))
        return Edges.join(parts, self.m)

    def certified(
        self, edges: Edges, *, counting: bool = False, cover: Prices | None = None
    ) -> _Certified:
        """Solve on `edges`, adding the pairs that break the certificate until none does.

        `counting`: the largest number of matches. Otherwise the highest total score, among the
        largest matchings when their vertex `cover` is given (pairs with exactly one end in the
        cover, every covered mentee matched and every covered mentor full).
        """
        while True:
            if counting:
                solution = bmatching.max_cardinality(edges, self.pool.capacity, self.n)
            else:
                solution = bmatching.max_weight(
                    edges,
                    self.pool.capacity,
                    self.n,
                    must_match=None if cover is None else cover.mentee == 1,
                    must_fill=None if cover is None else cover.mentor == 1,
                )
            breaking = self._breaking(solution, counting, cover)
            if len(breaking) == 0:
                return _Certified(edges, solution.chosen, solution.prices)
            edges = Edges.join([edges, breaking], self.m)

    def _breaking(self, solution: Solution, counting: bool, cover: Prices | None) -> Edges:
        """Eligible pairs above their price bound: weight > u_i + v_j (weight 1 when counting)."""
        prices = solution.prices
        parts = []
        for rows in row_blocks(self.n, self.m):
            scores = self.table.scores[rows]
            eligible = scores != INELIGIBLE
            if cover is not None:
                eligible &= cover.mentee[rows, None] + cover.mentor[None, :] == 1
            weight = np.ones(scores.shape, np.int64) if counting else scores.astype(np.int64)
            excess = weight - prices.mentee[rows, None] - prices.mentor[None, :]
            over = eligible & (excess > 0)
            if over.any():
                r, c = _best_per_row(np.where(over, excess, -1), TOP_PER_MENTEE)
                parts.append(Edges(r + rows.start, c, scores[r, c].astype(np.int64)))
        return Edges.join(parts, self.m)

    def result(self, objective: Objective, solution: _Certified) -> CohortResult:
        chosen = solution.edges.select(solution.chosen)
        mentor_of = np.full(self.n, -1, dtype=np.int64)
        mentor_of[chosen.mentee] = chosen.mentor
        mentor_of = prefer_earlier_ids(self.table.scores, self.pool.capacity, mentor_of)
        matched = np.flatnonzero(mentor_of >= 0)
        assignments = []
        for i, j in zip(matched.tolist(), mentor_of[matched].tolist(), strict=True):
            mentee, mentor = self.batch.mentees[i], self.pool.mentors[j]
            scored = score_pair(mentee, mentor, self.pool.policy)
            assignments.append(Assignment(mentee.id, mentor.id, scored.score, scored.breakdown))
        unmatched = [
            Unmatched(mentee.id, self._why_unmatched(i, objective))
            for i, mentee in enumerate(self.batch.mentees)
            if mentor_of[i] < 0
        ]
        total = int(self.table.scores[matched, mentor_of[matched]].sum(dtype=np.int64))
        return CohortResult(
            objective=objective,
            assignments=tuple(assignments),
            unmatched=tuple(unmatched),
            matched_count=len(assignments),
            total_score=total / MICRO,
            mean_score=total / MICRO / len(assignments) if assignments else 0.0,
            blocking_pairs=count_blocking(self.table.scores, self.pool.capacity, mentor_of),
        )

    def _why_unmatched(self, i: int, objective: Objective) -> str:
        if not self.table.shares_language[i]:
            return NO_SHARED_LANGUAGE
        if not self.table.compatible[i]:
            return ONLY_EXCLUDED
        if not np.any(self.table.scores[i] != INELIGIBLE):
            return ALL_FULL
        return OUTMATCHED[objective]
