"""Prove an assignment optimal over every eligible pair, from the assignment alone.

`least_prices` (most score). The b-matching LP (each mentee at most once, mentor j at most c_j
times) has integral vertices, so its optimum is the best assignment, and by LP duality and
complementary slackness an assignment x is optimal iff prices u (mentees), v (mentors) exist
with: u_i = w(i, k) - v_k for a mentee i matched to mentor k, u_i = 0 for one left unmatched,
v_j = 0 for a mentor with a free place, u, v >= 0, and w_ij <= u_i + v_j on every usable pair.
Their total sum u + sum c v then equals x's weight, which no assignment can exceed (weak
duality). In terms of v alone, these conditions are lower bounds

    v_j >= 0,   v_j >= w_ij for i unmatched,   v_j >= v_(mentor of i) + w_ij - w(i, mentor of i)

and upper bounds (v_j = 0 if j has a free place, v_(mentor of i) <= w(i, mentor of i)). The least
v meeting the lower bounds is a longest-path fixpoint (Bellman-Ford over mentors; still rising
after m rounds means a cycle that gains). Lower bounds only push v up, so if the least v breaks
an upper bound, every v does: x is not optimal. Whether x is optimal is thus decided exactly,
whichever solver produced it and however much the scores tie.

When x is not optimal, the pairs that set the prices lead along a chain to the broken bound: an
exchange that would improve x. At least one of them is new to the solver (otherwise the same
chain, found among the solver's own pairs, would contradict its optimality there).

`koenig_cover` (most matches). Search alternating paths from the unmatched mentees over every
eligible pair. Reaching a mentor with a free place is an augmenting path. Otherwise the reached
mentors and the unreached mentees form a vertex cover as large as the matching (Koenig).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mentoring.domain.matching.bmatching import Edges, Prices
from mentoring.domain.matching.pool import INELIGIBLE, Ints, Mask, Points, row_blocks

NONE = np.iinfo(np.int64).min // 4  # the weight of a pair that may not be used: no bound at all


@dataclass(frozen=True, slots=True)
class Weights:
    """What pairs weigh: score + bonus, NONE where a pair may not be used.

    With a `cover` (of the largest matchings), only pairs with exactly one end in it are usable.
    """

    scores: Points
    cover: Prices | None = None
    bonus: int = 0

    def rows(self, rows: Ints | slice) -> Ints:
        block = self.scores[rows]
        usable = block != INELIGIBLE
        if self.cover is not None:
            usable &= self.cover.mentee[rows, None] + self.cover.mentor[None, :] == 1
        weight: Ints = np.where(usable, block.astype(np.int64) + self.bonus, NONE)
        return weight

    def pairs(self, mentee: Ints, mentor: Ints) -> Ints:
        score = self.scores[mentee, mentor]
        usable = score != INELIGIBLE
        if self.cover is not None:
            usable &= self.cover.mentee[mentee] + self.cover.mentor[mentor] == 1
        weight: Ints = np.where(usable, score.astype(np.int64) + self.bonus, NONE)
        return weight


class Offers(Protocol):
    """The pairs a price search looks at."""

    def best(self, mentees: Ints, gap: Ints) -> tuple[Ints, Ints]:
        """Per mentor, the highest weight + gap over these mentees' pairs, and whose (-1: none)."""
        ...


@dataclass(frozen=True, slots=True)
class EveryPair:
    """Every pair of the table, a block of mentees at a time."""

    weights: Weights

    def best(self, mentees: Ints, gap: Ints) -> tuple[Ints, Ints]:
        m = self.weights.scores.shape[1]
        value = np.full(m, NONE, dtype=np.int64)
        who = np.full(m, -1, dtype=np.int64)
        for part in row_blocks(len(mentees), m):
            offer = self.weights.rows(mentees[part]) + gap[part, None]
            top = offer.max(axis=0)
            higher = np.flatnonzero(top > value)
            value[higher] = top[higher]
            who[higher] = mentees[part][offer[:, higher].argmax(axis=0)]
        return value, who


@dataclass(frozen=True, slots=True)
class SomePairs:
    """Only the given pairs (e.g. the solver's candidates)."""

    weights: Weights
    edges: Edges

    def best(self, mentees: Ints, gap: Ints) -> tuple[Ints, Ints]:
        m = self.weights.scores.shape[1]
        gap_of = np.full(self.weights.scores.shape[0], NONE, dtype=np.int64)
        gap_of[mentees] = gap
        taken = gap_of[self.edges.mentee] != NONE
        mentee, mentor = self.edges.mentee[taken], self.edges.mentor[taken]
        offer = self.weights.pairs(mentee, mentor) + gap_of[mentee]
        value = np.full(m, NONE, dtype=np.int64)
        np.maximum.at(value, mentor, offer)
        who = np.full(m, -1, dtype=np.int64)
        top = offer == value[mentor]
        who[mentor[top]] = mentee[top]
        return value, who


@dataclass(frozen=True, slots=True)
class PriceSearch:
    """The least prices found for an assignment, and the pairs that set them.

    `proof` is None when they break an upper bound: the assignment is not optimal, and the
    pairs (`by_mentee[k]`, `by_mentor[k]`) that raised the prices show where it can improve.
    """

    proof: Prices | None
    by_mentee: Ints
    by_mentor: Ints


def least_prices(offers: Offers, weights: Weights, capacity: Ints, mentor_of: Ints) -> PriceSearch:
    """The least prices meeting the lower bounds for `mentor_of`, checked against the upper ones."""
    m = len(capacity)
    matched = np.flatnonzero(mentor_of >= 0)
    own = np.zeros(len(mentor_of), dtype=np.int64)
    own[matched] = weights.pairs(matched, mentor_of[matched])
    has_room = np.bincount(mentor_of[matched], minlength=m) < capacity
    price = np.zeros(m, dtype=np.int64)
    setter = np.full(m, -1, dtype=np.int64)  # the mentee whose pair set the price

    def raise_prices(mentees: Ints, gap: Ints) -> Mask:
        value, who = offers.best(mentees, gap)
        higher: Mask = value > price
        price[higher], setter[higher] = value[higher], who[higher]
        return higher

    def too_high() -> bool:
        return bool(np.any(price[has_room] > 0) or np.any(price[mentor_of[matched]] > own[matched]))

    waiting = np.flatnonzero(mentor_of < 0)
    raise_prices(waiting, np.zeros(len(waiting), dtype=np.int64))
    moved = matched  # mentees whose mentor's price rose: their other pairs bound prices again
    for _ in range(m + 1):
        if not moved.size or too_high():
            break
        gap = price[mentor_of[moved]] - own[moved]  # -u_i: what mentee i would give up
        raised = raise_prices(moved, gap)
        moved = matched[raised[mentor_of[matched]]]
    found = np.flatnonzero(setter >= 0)
    if moved.size or too_high():
        return PriceSearch(None, setter[found], found)
    mentee = np.zeros(len(mentor_of), dtype=np.int64)
    mentee[matched] = own[matched] - price[mentor_of[matched]]
    return PriceSearch(Prices(mentee, price), setter[found], found)


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
