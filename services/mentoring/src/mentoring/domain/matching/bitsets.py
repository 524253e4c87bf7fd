"""Sets of small integers (weekly hours 0..167, language codes) as rows of 64-bit words.

Two people's common hours are then a few AND and popcount operations for every pair at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

Bitsets = NDArray[np.uint64]
Mask = NDArray[np.bool_]


def pack_bits(sets: Sequence[Iterable[int]], n_bits: int) -> Bitsets:
    """One row of 64-bit words per set; bit b of a row is set when b is in the set."""
    words = max(1, -(-n_bits // 64))
    flags = np.zeros((len(sets), words * 64), dtype=np.bool_)
    for row, members in enumerate(sets):
        flags[row, list(members)] = True
    return np.packbits(flags, axis=1, bitorder="little").view(np.uint64)


def common_bits(rows: Bitsets, columns: Bitsets) -> NDArray[np.uint8]:
    """|row ∩ column| for every pair, as a (len(rows), len(columns)) matrix (sets of < 256 bits)."""
    count = np.zeros((rows.shape[0], columns.shape[0]), dtype=np.uint8)
    for word in range(rows.shape[1]):
        count += np.bitwise_count(rows[:, word, None] & columns[None, :, word])
    return count


def any_common_bit(rows: Bitsets, columns: Bitsets) -> Mask:
    found = np.zeros((rows.shape[0], columns.shape[0]), dtype=np.bool_)
    for word in range(rows.shape[1]):
        found |= (rows[:, word, None] & columns[None, :, word]) != 0
    return found
