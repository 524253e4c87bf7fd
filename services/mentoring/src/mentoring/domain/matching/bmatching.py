"""Bipartite b-matching on a list of candidate pairs, with scipy's exact combinatorial solvers.

Most score (`max_weight`): scipy's LAPJVsp (`min_weight_full_bipartite_matching`, a sparse
Jonker-Volgenant shortest-augmenting-path algorithm). Each mentor becomes one vertex per place,
each mentee (or each place) also gets a column of its own meaning "unmatched", a pair costs
BIG - score and "unmatched" costs BIG. Every row is then matched to exactly one column, so the
cheapest such matching is the one with the highest total score. Scores are integers below 2**31:
every cost and every sum the algorithm forms is an exact integer in float64, so it is exact.

Most score among the largest matchings (`max_weight_covering`): given a minimum vertex cover of
the largest matchings, they are exactly the matchings that only use pairs with one end in the
cover, match every covered mentee and fill every covered mentor (complementary slackness). Such a
pair joins a covered mentee to an uncovered mentor or an uncovered mentee to a covered mentor, so
the problem splits in two full matchings, each solved as above: covered mentees into the places
of uncovered mentors, and the places of covered mentors into uncovered mentees.

Most matches (`max_cardinality`): a maximum flow (source -> mentee, capacity 1 -> mentor -> sink,
capacity c_j), in integers. Its minimum cut is a vertex cover as large as the flow (Koenig):
u_i = 1 for the mentees cut off from the source, v_j = 1 for the mentors still reachable.

Nothing here is trusted blindly: `cohort` proves every answer optimal over all eligible pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import (
    breadth_first_order,
    maximum_flow,
    min_weight_full_bipartite_matching,
)

from mentoring.domain.matching.errors import SolverFailure

Ints = NDArray[np.int64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Edges:
    """Candidate pairs with their scores, sorted by (mentee, mentor) without repetition."""

    mentee: Ints
    mentor: Ints
    score: Ints

    @classmethod
    def of(cls, mentee: Ints, mentor: Ints, score: Ints, n_mentors: int) -> Edges:
        keys, first = np.unique(
            mentee.astype(np.int64) * n_mentors + mentor.astype(np.int64), return_index=True
        )
        return cls(keys // n_mentors, keys % n_mentors, score[first].astype(np.int64))

    @classmethod
    def join(cls, parts: list[Edges], n_mentors: int) -> Edges:
        return cls.of(
            np.concatenate([np.zeros(0, np.int64), *(e.mentee for e in parts)]),
            np.concatenate([np.zeros(0, np.int64), *(e.mentor for e in parts)]),
            np.concatenate([np.zeros(0, np.int64), *(e.score for e in parts)]),
            max(1, n_mentors),
        )

    def __len__(self) -> int:
        return len(self.mentee)

    def select(self, mask: Mask) -> Edges:
        return Edges(self.mentee[mask], self.mentor[mask], self.score[mask])


@dataclass(frozen=True, slots=True)
class Prices:
    """Dual prices: u per mentee, v per mentor (a vertex cover when they are 0/1)."""

    mentee: Ints
    mentor: Ints


def _places(edges: Edges, places: Ints) -> tuple[Ints, Ints, Ints]:
    """Expand each pair (i, j) into one entry per place of j: (edge, place column, owner)."""
    first = np.concatenate([[0], np.cumsum(places)[:-1]]).astype(np.int64)
    repeat = places[edges.mentor]
    edge = np.repeat(np.arange(len(edges)), repeat)
    within = np.arange(len(edge)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    owner = np.repeat(np.arange(len(places)), places)
    return edge, first[edges.mentor][edge] + within, owner


def _full_matching(rows: Ints, cols: Ints, cost: Ints, shape: tuple[int, int]) -> Ints:
    """For each row, its column in the cheapest matching covering every row (costs >= 1).

    There are never more rows than columns here, and a matching covering the rows exists.
    """
    graph = sp.csr_array((cost.astype(np.float64), (rows, cols)), shape=shape)
    try:
        row, col = min_weight_full_bipartite_matching(graph)
    except ValueError as error:
        raise SolverFailure(f"no full matching where one must exist: {error}") from None
    column = np.full(shape[0], -1, dtype=np.int64)
    column[row] = col
    if np.any(column < 0):
        raise SolverFailure("a row was left out of a full matching")
    return column


def _chosen(edges: Edges, n_mentors: int, mentee: Ints, mentor: Ints) -> Mask:
    keys = edges.mentee * max(1, n_mentors) + edges.mentor
    found = np.searchsorted(keys, mentee * max(1, n_mentors) + mentor)
    chosen = np.zeros(len(edges), dtype=np.bool_)
    chosen[found] = True
    return chosen


def max_weight(edges: Edges, capacity: Ints, n_mentees: int) -> Mask:
    """The maximum-score b-matching on `edges`, as a mask over them.

    The rows are the smaller side, each with an "unmatched" column of its own: mentees when
    places are plentiful, places when they are scarce (LAPJVsp augments once per row, so this
    runs up to five times faster in the scarce case).
    """
    if len(edges) == 0:
        return np.zeros(0, dtype=np.bool_)
    degree = np.bincount(edges.mentor, minlength=len(capacity))
    places = np.minimum(capacity, degree)  # a place no candidate can take is left out
    edge, place, owner = _places(edges, places)
    n_places = int(places.sum())
    big = int(edges.score.max()) + 1
    cost = big - edges.score[edge]
    if n_mentees <= n_places:
        place_of = _with_opt_out(edges.mentee[edge], place, cost, big, n_mentees, n_places)
        mentee = np.flatnonzero(place_of >= 0)
        return _chosen(edges, len(capacity), mentee, owner[place_of[mentee]])
    mentee_of = _with_opt_out(place, edges.mentee[edge], cost, big, n_places, n_mentees)
    filled = np.flatnonzero(mentee_of >= 0)
    return _chosen(edges, len(capacity), mentee_of[filled], owner[filled])


def _with_opt_out(rows: Ints, cols: Ints, cost: Ints, big: int, n_rows: int, n_cols: int) -> Ints:
    """The cheapest matching where each row takes a column or, at cost `big`, none (-1)."""
    column_of = _full_matching(
        np.concatenate([rows, np.arange(n_rows)]),
        np.concatenate([cols, n_cols + np.arange(n_rows)]),
        np.concatenate([cost, np.full(n_rows, big)]),
        (n_rows, n_cols + n_rows),
    )
    return np.where(column_of < n_cols, column_of, -1)


def max_weight_covering(edges: Edges, capacity: Ints, n_mentees: int, cover: Prices) -> Mask:
    """The maximum-score b-matching on `edges` among those saturating the vertex `cover`."""
    m = len(capacity)
    covered_mentee = cover.mentee[edges.mentee] == 1
    covered_mentor = cover.mentor[edges.mentor] == 1
    if np.any(covered_mentee & covered_mentor):
        raise SolverFailure("a pair with both ends in the cover")
    chosen = np.zeros(len(edges), dtype=np.bool_)
    if covered_mentee.any():  # every covered mentee into a place of an uncovered mentor
        part = edges.select(covered_mentee)
        places = capacity * (1 - cover.mentor)
        mentees, row = np.unique(part.mentee, return_inverse=True)
        if len(mentees) != int(cover.mentee.sum()):
            raise SolverFailure("a covered mentee has no pair to be matched with")
        edge, column, owner = _places(part, places)
        column_of = _full_matching(
            row[edge],
            column,
            int(part.score.max()) + 1 - part.score[edge],
            (len(mentees), int(places.sum())),
        )
        chosen |= _chosen(edges, m, mentees, owner[column_of])
    if covered_mentor.any():  # every place of a covered mentor to an uncovered mentee
        part = edges.select(covered_mentor)
        places = capacity * cover.mentor
        edge, place, owner = _places(part, places)
        mentee_of = _full_matching(
            place,
            part.mentee[edge],
            int(part.score.max()) + 1 - part.score[edge],
            (int(places.sum()), n_mentees),
        )
        chosen |= _chosen(edges, m, mentee_of, owner)
    return chosen


@dataclass(frozen=True, slots=True)
class Cardinality:
    chosen: Mask
    cover: Prices


def max_cardinality(edges: Edges, capacity: Ints, n_mentees: int) -> Cardinality:
    """The most pairs a b-matching on `edges` can hold, with a minimum vertex cover of them."""
    n_mentors = len(capacity)
    if len(edges) == 0:
        nobody = Prices(np.zeros(n_mentees, np.int64), np.zeros(n_mentors, np.int64))
        return Cardinality(np.zeros(0, np.bool_), nobody)
    source, sink = n_mentees + n_mentors, n_mentees + n_mentors + 1
    unbounded = n_mentees + 1  # more than all mentees can send: a cut never crosses a pair
    graph = sp.csr_array(
        (
            np.concatenate([np.ones(n_mentees), np.full(len(edges), unbounded), capacity]).astype(
                np.int32
            ),
            (
                np.concatenate(
                    [np.full(n_mentees, source), edges.mentee, n_mentees + np.arange(n_mentors)]
                ),
                np.concatenate(
                    [np.arange(n_mentees), n_mentees + edges.mentor, np.full(n_mentors, sink)]
                ),
            ),
        ),
        shape=(sink + 1, sink + 1),
    )
    graph.eliminate_zeros()
    flow = maximum_flow(graph, source, sink)
    residual = (graph - flow.flow).tocsr()
    residual.data[residual.data < 0] = 0
    residual.eliminate_zeros()
    reached = np.zeros(sink + 1, dtype=np.bool_)
    reached[breadth_first_order(residual, source, directed=True, return_predecessors=False)] = True
    chosen = np.asarray(flow.flow[edges.mentee, n_mentees + edges.mentor]).ravel() > 0
    cover = Prices(
        (~reached[:n_mentees]).astype(np.int64), reached[n_mentees:source].astype(np.int64)
    )
    return Cardinality(chosen, cover)
