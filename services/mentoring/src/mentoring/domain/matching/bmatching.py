"""Bipartite b-matching on a list of candidate pairs, solved exactly and proved optimal.

Maximum weight, for integer weights w_e (scores in micro-points), as a linear program:

    maximise   sum_e w_e x_e
    subject to sum of x_e at mentee i <= 1      (price u_i >= 0; free if the row is an equality)
               sum of x_e at mentor j <= c_j    (price v_j >= 0; likewise)
               x_e >= 0

Its constraint matrix is the incidence matrix of a bipartite graph, which is totally unimodular:
every vertex of the primal polytope is 0/1 and, the weights being integers, every vertex of the
dual is integral too. HiGHS' dual simplex ("highs-ds") ends on such vertices, so `max_weight`
rounds both and then *verifies*, in exact integer arithmetic, that

    x is a b-matching,  w_e <= u_i + v_j on every pair of the LP,  u, v >= 0 on inequality rows,
    sum_e w_e x_e == sum_i u_i + sum_j c_j v_j                               (strong duality)

which proves x optimal by weak duality, with no floating-point tolerance anywhere.

The prices also certify pairs the LP never saw: if w_e <= u_i + v_j for such a pair, the same
prices stay feasible for the larger dual, so adding the pair cannot raise the optimum.

Maximum cardinality (`max_cardinality`) is a maximum flow (source -> mentee, capacity 1 ->
mentor -> sink, capacity c_j), solved in integers by scipy. The minimum cut is a vertex cover:
u_i = 1 for the mentees cut off from the source, v_j = 1 for the mentors still reachable, with
sum u + sum c v equal to the flow (Koenig); u_i + v_j >= 1 on a pair certifies it likewise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

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
    """Dual prices: u per mentee, v per mentor."""

    mentee: Ints
    mentor: Ints


@dataclass(frozen=True, slots=True)
class Solution:
    chosen: Mask
    prices: Prices


def _incidence(edges: Edges, n_mentees: int, n_mentors: int) -> sp.csr_array:
    n_edges = len(edges)
    return sp.csr_array(
        (
            np.ones(2 * n_edges),
            (
                np.concatenate([edges.mentee, n_mentees + edges.mentor]),
                np.tile(np.arange(n_edges), 2),
            ),
        ),
        shape=(n_mentees + n_mentors, n_edges),
    )


def _check_b_matching(
    edges: Edges, chosen: Mask, capacity: Ints, n_mentees: int, equal: Mask
) -> None:
    used = np.concatenate(
        [
            np.bincount(edges.mentee[chosen], minlength=n_mentees),
            np.bincount(edges.mentor[chosen], minlength=len(capacity)),
        ]
    )
    limit = np.concatenate([np.ones(n_mentees, dtype=np.int64), capacity])
    if np.any(used > limit) or np.any(used[equal] != limit[equal]):
        raise SolverFailure("the solver's assignment breaks a capacity")


def max_weight(
    edges: Edges,
    capacity: Ints,
    n_mentees: int,
    *,
    must_match: Mask | None = None,
    must_fill: Mask | None = None,
) -> Solution:
    """The maximum-score b-matching on `edges`; `must_match` / `must_fill` make rows equalities."""
    n_mentors = len(capacity)
    equal = np.concatenate(
        [
            np.zeros(n_mentees, np.bool_) if must_match is None else must_match,
            np.zeros(n_mentors, np.bool_) if must_fill is None else must_fill,
        ]
    )
    if len(edges) == 0:
        _check_b_matching(edges, np.zeros(0, np.bool_), capacity, n_mentees, equal)
        zeros = np.zeros(n_mentees + n_mentors, dtype=np.int64)
        return Solution(np.zeros(0, np.bool_), Prices(zeros[:n_mentees], zeros[n_mentees:]))
    incidence = _incidence(edges, n_mentees, n_mentors)
    limit = np.concatenate([np.ones(n_mentees), capacity.astype(np.float64)])
    upper, exact = np.flatnonzero(~equal), np.flatnonzero(equal)
    result = linprog(
        -edges.score.astype(np.float64),
        A_ub=incidence[upper],
        b_ub=limit[upper],
        A_eq=incidence[exact] if len(exact) else None,
        b_eq=limit[exact] if len(exact) else None,
        bounds=(0, None),
        method="highs-ds",
    )
    if result.status != 0:
        raise SolverFailure(f"the b-matching LP was not solved: {result.message}")
    x = np.asarray(result.x)
    if np.any(np.abs(x - np.round(x)) > 1e-6):
        raise SolverFailure("the b-matching LP returned a fractional vertex")
    chosen = x > 0.5
    _check_b_matching(edges, chosen, capacity, n_mentees, equal)
    # scipy gives d(min of -w.x)/d(right-hand side); the prices of the maximum are the opposite.
    price = np.zeros(n_mentees + n_mentors, dtype=np.int64)
    price[upper] = np.round(-np.asarray(result.ineqlin.marginals)).astype(np.int64)
    if len(exact):
        price[exact] = np.round(-np.asarray(result.eqlin.marginals)).astype(np.int64)
    prices = Prices(price[:n_mentees], price[n_mentees:])
    primal = int(edges.score[chosen].sum())
    dual = int(prices.mentee.sum() + (capacity * prices.mentor).sum())
    feasible = np.all(edges.score <= prices.mentee[edges.mentee] + prices.mentor[edges.mentor])
    if not feasible or np.any(price[upper] < 0) or primal != dual:
        raise SolverFailure("the b-matching LP optimum could not be certified in integers")
    return Solution(chosen, prices)


def max_cardinality(edges: Edges, capacity: Ints, n_mentees: int) -> Solution:
    """The most pairs a b-matching on `edges` can hold, with a minimum vertex cover as prices."""
    n_mentors = len(capacity)
    if len(edges) == 0:
        nobody = Prices(np.zeros(n_mentees, np.int64), np.zeros(n_mentors, np.int64))
        return Solution(np.zeros(0, np.bool_), nobody)
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
    carried = np.asarray(flow.flow[edges.mentee, n_mentees + edges.mentor]).ravel()
    chosen = carried > 0
    _check_b_matching(edges, chosen, capacity, n_mentees, np.zeros(source, np.bool_))
    cover = Prices(
        (~reached[:n_mentees]).astype(np.int64), reached[n_mentees:source].astype(np.int64)
    )
    covered = np.all(cover.mentee[edges.mentee] + cover.mentor[edges.mentor] >= 1)
    size = int(cover.mentee.sum() + (capacity * cover.mentor).sum())
    if not covered or size != int(np.count_nonzero(chosen)) or size != flow.flow_value:
        raise SolverFailure("the maximum flow could not be certified by a vertex cover")
    return Solution(chosen, cover)
