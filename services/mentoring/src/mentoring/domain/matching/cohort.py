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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mentoring.domain.matching import bmatching
from mentoring.domain.matching.bmatching import Edges, Prices
from mentoring.domain.matching.certificate import NONE, Weights, koenig_cover, least_prices
from mentoring.domain.matching.criteria import score_pair
from mentoring.domain.matching.errors import InvalidPolicy, SolverFailure
from mentoring.domain.matching.model import (
    FULL_SCORE,
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
ADDED_PER_MENTEE = 2
SPREAD = 7919  # a prime: how far the tie order of consecutive rows is rotated

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
        largest = run.largest()
        cover = largest.prices
        edges = largest.edges.select(
            cover.mentee[largest.edges.mentee] + cover.mentor[largest.edges.mentor] == 1
        )
        solution = run.best(edges, cover)
    else:
        solution = run.best(run.candidates)
    return run.result(objective, solution)


@dataclass(frozen=True, slots=True)
class _Certified:
    edges: Edges
    chosen: Mask
    prices: Prices


def _best_per_row(
    values: NDArray[np.signedinteger[Any]], k: int, first_row: int
) -> tuple[Ints, Ints]:
    """(row, column) of the k largest values of each row, leaving out negative values.

    Equal values are taken in a column order rotated differently for each row, so that ties
    spread over the columns instead of piling onto the same few.
    """
    height, width = values.shape
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if width <= k:
        cols = np.broadcast_to(np.arange(width), values.shape)
    else:
        rotation = (np.arange(first_row, first_row + height) * SPREAD)[:, None]
        key = values.astype(np.int64) * width + (np.arange(width)[None, :] + rotation) % width
        cols = np.argpartition(key, width - k, axis=1)[:, width - k :]
    rows = np.broadcast_to(np.arange(height)[:, None], cols.shape)
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
            r, c = _best_per_row(scores, TOP_PER_MENTEE, rows.start)  # INELIGIBLE is negative
            parts.append(Edges(r + rows.start, c, scores[r, c].astype(np.int64)))
        keep = int(min(self.n, self.pool.capacity.max(initial=0) + EXTRA_PER_MENTOR))
        step = max(1, BLOCK_PAIRS // max(1, self.n))
        for first in range(0, self.m, step):
            columns = np.ascontiguousarray(self.table.scores[:, first : first + step].T)
            c, r = _best_per_row(columns, keep, first)
            parts.append(Edges(r, c + first, columns[c, r].astype(np.int64)))
        return Edges.join(parts, self.m)

    def largest(self) -> _Certified:
        """The most matches: a maximum flow on the candidates, proved by a vertex cover over
        every pair (`koenig_cover`); otherwise the pairs the flow's own cover misses join."""
        edges = self.candidates
        while True:
            found = bmatching.max_cardinality(edges, self.pool.capacity, self.n)
            mentor_of = self._assignment(edges, found.chosen)
            proof = koenig_cover(self.table.scores, self.pool.capacity, mentor_of)
            if proof is not None:
                return _Certified(edges, found.chosen, proof)
            uncovered = self._breaking(Weights(self.table.scores), found.cover, counting=True)
            edges = Edges.join([edges, uncovered], self.m)

    def best(self, edges: Edges, cover: Prices | None = None) -> _Certified:
        """The highest score, among the largest matchings when their vertex `cover` is given:
        solved on the candidates, proved by the least prices over every pair; otherwise the
        pairs behind the prices that proved too high join, with those above prices that are
        optimal for the candidates (there is always one: else those prices would prove it)."""
        weights = self._weights(cover)
        while True:
            if cover is None:
                chosen = bmatching.max_weight(edges, self.pool.capacity, self.n)
            else:
                chosen = bmatching.max_weight_covering(edges, self.pool.capacity, self.n, cover)
            mentor_of = self._assignment(edges, chosen)
            search = least_prices(weights, self.pool.capacity, mentor_of)
            if search.proof is not None:
                if len(self._breaking(weights, search.proof)):
                    raise SolverFailure("the least prices do not prove the assignment")
                return _Certified(edges, chosen, search.proof)
            candidates_only = replace(weights, only=self._mask(edges))
            local = least_prices(candidates_only, self.pool.capacity, mentor_of).proof
            if local is None:
                raise SolverFailure("the solver's assignment is not optimal on its own pairs")
            rows, cols = search.by_mentee, search.by_mentor
            behind = Edges(rows, cols, self.table.scores[rows, cols].astype(np.int64))
            edges = Edges.join([edges, behind, self._breaking(weights, local)], self.m)

    def _assignment(self, edges: Edges, chosen: Mask) -> Ints:
        mentor_of = np.full(self.n, -1, dtype=np.int64)
        mentor_of[edges.mentee[chosen]] = edges.mentor[chosen]
        return mentor_of

    def _weights(self, cover: Prices | None) -> Weights:
        """Among the largest matchings (`cover`), the highest score is also the highest score
        plus a bonus per match larger than any total, over the pairs with one end in the cover:
        a problem without side constraints, which `least_prices` certifies."""
        bonus = 0 if cover is None else FULL_SCORE * (self.n + 1)
        return Weights(self.table.scores, cover, bonus)

    def _mask(self, edges: Edges) -> Mask:
        mask = np.zeros((self.n, self.m), dtype=np.bool_)
        mask[edges.mentee, edges.mentor] = True
        return mask

    def _breaking(self, weights: Weights, prices: Prices, counting: bool = False) -> Edges:
        """Usable pairs above their price bound: weight > u_i + v_j (weight 1 when counting)."""
        parts = []
        for rows in row_blocks(self.n, self.m):
            weight = weights.rows(rows)
            if counting:
                weight = np.where(weight != NONE, 1, NONE)
            excess = weight - prices.mentee[rows, None] - prices.mentor[None, :]
            over = (weight != NONE) & (excess > 0)
            if over.any():
                r, c = _best_per_row(np.where(over, excess, -1), ADDED_PER_MENTEE, rows.start)
                scores = self.table.scores[rows]
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
