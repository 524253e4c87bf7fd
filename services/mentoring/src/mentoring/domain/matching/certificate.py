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

import numpy as np

from mentoring.domain.matching.bmatching import Prices
from mentoring.domain.matching.pool import INELIGIBLE, Ints, Mask, Points, row_blocks

NONE = np.iinfo(np.int64).min // 4  # the weight of a pair that may not be used: no bound at all


def pair_weights(
    scores: Points, rows: Ints | slice, cover: Prices | None = None, bonus: int = 0
) -> Ints:
    """Weights of rows of the table: score + bonus, NONE where a pair may not be used.

    With a `cover` (of the maximum matchings), only pairs with exactly one end in it may be used.
    """
    block = scores[rows]
    weight = block.astype(np.int64) + bonus
    usable = block != INELIGIBLE
    if cover is not None:
        usable &= cover.mentee[rows, None] + cover.mentor[None, :] == 1
    weight[~usable] = NONE
    return weight


def least_prices(
    scores: Points,
    capacity: Ints,
    mentor_of: Ints,
    cover: Prices | None = None,
    bonus: int = 0,
) -> Prices | None:
    """Prices proving `mentor_of` of maximum total weight, or None if it is not."""
    m = scores.shape[1]
    matched = np.flatnonzero(mentor_of >= 0)
    waiting = np.flatnonzero(mentor_of < 0)
    own = np.zeros(len(mentor_of), dtype=np.int64)
    own[matched] = scores[matched, mentor_of[matched]].astype(np.int64) + bonus
    has_room = np.bincount(mentor_of[matched], minlength=m) < capacity
    price = np.zeros(m, dtype=np.int64)
    for part in row_blocks(len(waiting), m):
        price = np.maximum(price, pair_weights(scores, waiting[part], cover, bonus).max(axis=0))
    raised = np.ones(m, dtype=np.bool_)
    for _ in range(m + 1):
        if np.any(price[has_room] > 0) or np.any(price[mentor_of[matched]] > own[matched]):
            return None
        moved = matched[raised[mentor_of[matched]]]
        if not moved.size:
            mentee = np.zeros(len(mentor_of), dtype=np.int64)
            mentee[matched] = own[matched] - price[mentor_of[matched]]
            return Prices(mentee, price)
        bound = price.copy()
        for part in row_blocks(len(moved), m):
            rows = moved[part]
            gap = price[mentor_of[rows]] - own[rows]  # -u_i: what mentee i gives up by moving
            bound = np.maximum(
                bound, (pair_weights(scores, rows, cover, bonus) + gap[:, None]).max(axis=0)
            )
        raised = bound > price
        price = bound
    return None


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
        frontier = np.flatnonzero(matched & ~reached_mentee & found[np.maximum(mentor_of, 0)])
        reached_mentee[frontier] = True
    return Prices((~reached_mentee).astype(np.int64), reached_mentor.astype(np.int64))
