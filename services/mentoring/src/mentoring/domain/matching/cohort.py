"""Assign a cohort of mentees to mentors: an exact optimum, proved over every eligible pair.

Scores are integers of micro-points (see `criteria`), so "exact" is meant literally. A run:

1. Survey: score every pair once, a block of mentees at a time, into an int32 table (INELIGIBLE
   where a hard constraint forbids the pair: 4 bytes a pair, no float matrix). Candidates: each
   mentee's few best mentors (`_per_mentee`) and each mentor's (largest capacity +
   `EXTRA_PER_MENTOR`) best mentees.
2. Solve on the candidates only (`bmatching`, scipy's exact sparse assignment algorithm), then
   prove the answer optimal over *every* eligible pair of the table with the least dual prices
   it admits (`certificate.least_prices`): prices u, v with score_ij <= u_i + v_j on every pair
   and a total equal to the assignment's, so that no assignment can score more (weak duality).
   If no such prices exist, the assignment is not optimal: the pairs that drove the prices too
   high, and the pairs above prices that are optimal for the candidates, join the candidates
   and the solver runs again. Each round adds at least one new pair, so this ends; on the
   benchmark's profiles one or two rounds suffice, in the hardest regime tried (places about as
   many as mentees) five.
3. "most_matched" is lexicographic. First the largest number of matches k*: a maximum flow on
   the candidates, proved by a vertex cover over every pair (`certificate.koenig_cover`). By
   complementary slackness with that cover, the matchings of size k* are exactly those that use
   only pairs with one end in the cover and saturate every covered mentee and mentor. Step 2
   then finds the best score among those (`bmatching.max_weight_covering`).
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
from mentoring.domain.matching.bmatching import Edges, Prices
from mentoring.domain.matching.certificate import (
    NONE,
    EveryPair,
    SomePairs,
    Weights,
    koenig_cover,
    least_prices,
)
from mentoring.domain.matching.criteria import score_pair
from mentoring.domain.matching.errors import InvalidPolicy, SolverFailure
from mentoring.domain.matching.model import (
    FULL_SCORE,
    MICRO,
    OBJECTIVES,
    Assignment,
    BlockingPair,
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
from mentoring.domain.matching.stability import list_blocking, preferences
from mentoring.domain.matching.ties import prefer_earlier_ids

TOP_PER_MENTEE = 2  # plus one per place per mentee, see _per_mentee
EXTRA_PER_MENTOR = 15
ADDED_PER_MENTEE = 2  # pairs above the candidates' prices added per mentee and round
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
    """The pairs `chosen` among `edges`, with `prices` proving them optimal over every pair."""

    edges: Edges
    chosen: Mask
    prices: Prices


def _best_per_row(
    values: NDArray[np.signedinteger[Any]], k: int, first_row: int
) -> tuple[Ints, Ints]:
    """(row, column) of about the k largest values of each row, leaving out negative values.

    Only candidates are chosen here, and any candidates are correct (the proof checks every
    pair), so the values are coarsened to 16 bits and their ties broken by a column order rotated
    differently for each row: equal scores then spread over the mentors instead of piling up.
    """
    height, width = values.shape
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if width <= k:
        cols = np.broadcast_to(np.arange(width), values.shape)
    else:
        shift = max(0, int(values.max(initial=0)).bit_length() - 16)
        offset = (np.arange(first_row, first_row + height, dtype=np.int64) * SPREAD) % width
        rotation = np.arange(width, dtype=np.int32)[None, :] + offset.astype(np.int32)[:, None]
        rotation[rotation >= width] -= width
        key = (values >> shift).astype(np.int32) << 15
        key |= rotation & 0x7FFF
        cols = np.argpartition(key, width - k, axis=1)[:, width - k :]
    rows = np.broadcast_to(np.arange(height)[:, None], cols.shape)
    keep = values[rows, cols] >= 0
    return rows[keep], cols[keep]


class _Run:
    """One cohort run: every pair scored once, the candidates, and the certified solves."""

    def __init__(self, pool: MentorPool, mentees: Iterable[MenteeCandidate]) -> None:
        self.pool = pool
        self.batch = pool.encode(mentees)
        self.n, self.m = len(self.batch), len(pool)
        self.table = pool.table(self.batch)
        self.candidates = self._candidates()

    def _per_mentee(self) -> int:
        """More candidates per mentee when places are plentiful: more mentees then get one, and
        further down their lists."""
        places = int(self.pool.capacity.sum())
        return TOP_PER_MENTEE + -(-places // max(1, self.n))

    def _candidates(self) -> Edges:
        parts = []
        per_mentee = self._per_mentee()
        for rows in row_blocks(self.n, self.m):
            scores = self.table.scores[rows]
            r, c = _best_per_row(scores, per_mentee, rows.start)  # INELIGIBLE is negative
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
            search = least_prices(EveryPair(weights), weights, self.pool.capacity, mentor_of)
            if search.proof is not None:
                self._check(weights, mentor_of, search.proof)
                return _Certified(edges, chosen, search.proof)
            local = least_prices(SomePairs(weights, edges), weights, self.pool.capacity, mentor_of)
            if local.proof is None:
                raise SolverFailure("the solver's assignment is not optimal on its own pairs")
            rows, cols = search.by_mentee, search.by_mentor
            behind = Edges(rows, cols, self.table.scores[rows, cols].astype(np.int64))
            above = self._breaking(weights, local.proof)
            edges = Edges.join([edges, behind, above], self.m)

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

    def _check(self, weights: Weights, mentor_of: Ints, proof: Prices) -> None:
        """The least prices prove optimality by construction; check the proof anyway: prices
        >= 0, w_ij <= u_i + v_j on every usable pair, and a total equal to the assignment's."""
        matched = np.flatnonzero(mentor_of >= 0)
        total = int(weights.pairs(matched, mentor_of[matched]).sum())
        bound = int(proof.mentee.sum() + (self.pool.capacity * proof.mentor).sum())
        fits = total == bound and bool((proof.mentee >= 0).all() and (proof.mentor >= 0).all())
        for rows in row_blocks(self.n, self.m):
            excess = weights.rows(rows) - proof.mentee[rows, None] - proof.mentor[None, :]
            fits = fits and not bool(np.any(excess > 0))
        if not fits:
            raise SolverFailure("the least prices do not prove the assignment")

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
        blocking = self._blocking(mentor_of)
        return CohortResult(
            objective=objective,
            assignments=tuple(assignments),
            unmatched=tuple(unmatched),
            matched_count=len(assignments),
            total_score=total / MICRO,
            mean_score=total / MICRO / len(assignments) if assignments else 0.0,
            blocking_pairs=len(blocking),
            blocking=blocking,
        )

    def _blocking(self, mentor_of: Ints) -> tuple[BlockingPair, ...]:
        scores, capacity = self.table.scores, self.pool.capacity
        score_of, weakest, taken = preferences(scores, capacity, mentor_of)
        return tuple(
            BlockingPair(
                mentee_id=self.batch.mentees[i].id,
                mentor_id=self.pool.mentors[j].id,
                score=int(scores[i, j]) / MICRO,
                mentee_score=int(score_of[i]) / MICRO if mentor_of[i] >= 0 else None,
                mentor_weakest=int(weakest[j]) / MICRO if taken[j] >= capacity[j] else None,
            )
            for i, j in list_blocking(scores, capacity, mentor_of)
        )

    def _why_unmatched(self, i: int, objective: Objective) -> str:
        if not self.table.shares_language[i]:
            return NO_SHARED_LANGUAGE
        if not self.table.compatible[i]:
            return ONLY_EXCLUDED
        if not np.any(self.table.scores[i] != INELIGIBLE):
            return ALL_FULL
        return OUTMATCHED[objective]
