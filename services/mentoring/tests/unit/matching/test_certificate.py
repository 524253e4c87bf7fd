"""The proofs of optimality, on tables small enough to check by hand."""

import numpy as np
from numpy.typing import NDArray

from mentoring.domain.matching.certificate import (
    EveryPair,
    PriceSearch,
    Weights,
    koenig_cover,
    least_prices,
)
from mentoring.domain.matching.pool import INELIGIBLE

# Ana scores 10 with Marc and 8 with Nina; Bo scores 9 with Marc and 1 with Nina; one place each.
SCORES = np.array([[10, 8], [9, 1]], dtype=np.int32)
ONE_PLACE_EACH = np.array([1, 1], dtype=np.int64)


def search(
    mentor_of: list[int],
    scores: NDArray[np.int32] = SCORES,
    capacity: NDArray[np.int64] = ONE_PLACE_EACH,
) -> PriceSearch:
    weights = Weights(scores)
    return least_prices(EveryPair(weights), weights, capacity, np.array(mentor_of))


def test_the_least_prices_prove_an_optimal_assignment() -> None:
    found = search([1, 0])  # Ana with Nina, Bo with Marc: 8 + 9 = 17, the best
    assert found.proof is not None
    u, v = found.proof.mentee, found.proof.mentor
    assert u.sum() + v.sum() == 17
    assert all(SCORES[i, j] <= u[i] + v[j] for i in range(2) for j in range(2))
    assert (u >= 0).all()
    assert (v >= 0).all()


def test_no_prices_exist_for_an_assignment_that_can_improve() -> None:
    found = search([0, 1])  # Ana with Marc, Bo with Nina: 10 + 1 = 11
    assert found.proof is None
    assert set(zip(found.by_mentee.tolist(), found.by_mentor.tolist(), strict=True)) & {
        (0, 1),
        (1, 0),
    }


def test_leaving_a_willing_mentee_out_beside_a_free_place_is_not_optimal() -> None:
    assert search([0, -1]).proof is None  # Bo could take Nina's free place
    assert search([-1, -1]).proof is None


def test_ineligible_pairs_never_count() -> None:
    scores = np.array([[10, INELIGIBLE], [9, INELIGIBLE]], dtype=np.int32)
    assert search([0, -1], scores).proof is not None  # Bo cannot go to Nina


def test_a_vertex_cover_proves_a_matching_has_the_most_pairs() -> None:
    scores = np.array([[5, 5], [5, INELIGIBLE]], dtype=np.int32)
    # Ana with Marc leaves Bo out, while Ana could take Nina and Bo Marc: not the most pairs.
    assert koenig_cover(scores, ONE_PLACE_EACH, np.array([0, -1])) is None
    cover = koenig_cover(scores, ONE_PLACE_EACH, np.array([1, 0]))
    assert cover is not None
    assert cover.mentee.sum() + (ONE_PLACE_EACH * cover.mentor).sum() == 2
