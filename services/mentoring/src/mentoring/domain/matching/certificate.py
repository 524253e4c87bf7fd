"""Prove an assignment optimal over every eligible pair, from the assignment alone.

The LP solver's prices certify its assignment only if they happen to fit the pairs it never saw.
When scores tie a lot, many price vectors are optimal for the candidates and the solver's choice
may not fit, although the assignment is already the global optimum. These functions compute the
certificate that fits whenever one exists, so they answer "optimal or not" exactly.

`least_prices` (most score). By complementary slackness, an assignment x is optimal iff prices
exist with: u_i = w(i, mentor of i) - v_(mentor of i) for a matched mentee, u_i = 0 for one left
unmatched, v_j = 0 for a mentor with a free place, u, v >= 0, and w_ij <= u_i + v_j on every
eligible pair. In terms of v alone, these are lower bounds

    v_j >= 0,   v_j >= w_ij for i unmatched,   v_j >= v_(mentor of i) + w_ij - w(i, mentor of i)

and upper bounds (v_j = 0 if j has a free place, v_(mentor of i) <= w(i, mentor of i)). The least
v meeting the lower bounds is a longest-path fixpoint (Bellman-Ford on mentors: a chain of m
rises means a cycle that gains). Lower bounds only push v up, so if the least v breaks an upper
bound, every v does, and x is not optimal.

`koenig_cover` (most matches). Search alternating paths from the unmatched mentees over every
eligible pair. Reaching a mentor with a free place is an augmenting path. Otherwise the reached
mentors and the unreached mentees form a vertex cover as large as the matching (Koenig).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mentoring.domain.matching.bmatching import Prices
from mentoring.domain.matching.pool import INELIGIBLE, Ints, Mask, Points, row_blocks

NONE = np.iinfo(np.int64).min // 4  # the weight of a pair that may not be used: no bound at all


@dataclass(frozen=True, slots=True)
class Weights:
    """Which pairs count and what they weigh: score + bonus on usable pairs, NONE elsewhere.

    With a `cover` (of the largest matchings), only pairs with exactly one end in it are usable;
    with `only`, only the pairs it marks (e.g. the candidates of the solver).
    """

    scores: Points
    cover: Prices | None = None
    bonus: int = 0
    only: Mask | None = None

    def rows(self, rows: Ints | slice) -> Ints:
        block = self.scores[rows]
        weight = block.astype(np.int64) + self.bonus
        usable = block != INELIGIBLE
        if self.cover is not None:
            usable &= self.cover.mentee[rows, None] + self.cover.mentor[None, :] == 1
        if self.only is not None:
            usable &= self.only[rows]
        weight[~usable] = NONE
        return weight


@dataclass(frozen=True, slots=True)
class PriceSearch:
    """The least prices found for an assignment, and the pairs that set them.

    `proof` is None when they break an upper bound: the assignment is not optimal, and the
    pairs (`by_mentee[k]`, `by_mentor[k]`) that raised the prices show where it can improve.
    """

    proof: Prices | None
    by_mentee: Ints
    by_mentor: Ints


def least_prices(weights: Weights, capacity: Ints, mentor_of: Ints) -> PriceSearch:
    """The least prices meeting the lower bounds for `mentor_of`, checked against the upper ones."""
    m = weights.scores.shape[1]
    matched = np.flatnonzero(mentor_of >= 0)
    own = np.zeros(len(mentor_of), dtype=np.int64)
    own[matched] = weights.scores[matched, mentor_of[matched]].astype(np.int64) + weights.bonus
    price = np.zeros(m, dtype=np.int64)
    setter = np.full(m, -1, dtype=np.int64)  # the mentee whose pair set the price

    def raise_prices(mentees: Ints, gap: Ints) -> None:
        for part in row_blocks(len(mentees), m):
            rows = mentees[part]
            offer = weights.rows(rows) + gap[part, None]
            best = offer.argmax(axis=0)
            value = offer[best, np.arange(m)]
            higher = value > price
            price[higher] = value[higher]
            setter[higher] = rows[best[higher]]

    waiting = np.flatnonzero(mentor_of < 0)
    raise_prices(waiting, np.zeros(len(waiting), dtype=np.int64))
    moved = matched  # mentees whose mentor's price rose: their other pairs bound again
    for _ in range(m + 1):
        before = price.copy()
        raise_prices(moved, price[mentor_of[moved]] - own[moved])  # gap = -u_i
        raised = price > before
        moved = matched[raised[mentor_of[matched]]]
        if not moved.size:
            break
    has_room = np.bincount(mentor_of[matched], minlength=m) < capacity
    optimal = (
        not moved.size
        and not np.any(price[has_room] > 0)
        and not np.any(price[mentor_of[matched]] > own[matched])
    )
    found = np.flatnonzero(setter >= 0)
    proof = None
    if optimal:
        mentee = np.zeros(len(mentor_of), dtype=np.int64)
        mentee[matched] = own[matched] - price[mentor_of[matched]]
        proof = Prices(mentee, price)
    return PriceSearch(proof, setter[found], found)


def koenig_cover(scores: Points, capacity: Ints, mentor_of: Ints) -> Prices | None:
    """A vertex cover as large as `mentor_of` (proving it has the most matches), or None."""
    m = scores.shape[1]
    matched = mentor_of >= 0
    has_room = np.bincount(mentor_of[matched], minlength=m) < capacity
    reached_mentee: Mask = ~matched
    reached_mentor = np.zeros(m, dtype=np.bool_)
    frontier = np.flatnonzero(reached_mentee)
    while frontier.size:
        found = np.zeros(m, dtype=np.bool_)
        for part in row_blocks(len(frontier), m):
            found |= (scores[frontier[part]] != INELIGIBLE).any(axis=0)
        found &= ~reached_mentor
        if np.any(found & has_room):
            return None
        reached_mentor |= found
        newly = np.zeros(len(mentor_of), dtype=np.bool_)
        newly[matched] = found[mentor_of[matched]]
        frontier = np.flatnonzero(newly & ~reached_mentee)
        reached_mentee[frontier] = True
    return Prices((~reached_mentee).astype(np.int64), reached_mentor.astype(np.int64))
