"""Ties between equally good assignments go to the earlier ids.

Two exchanges keep every score, so the total and the number of matches stay exactly the same
(scores are integers) and an optimal assignment stays optimal:

- a mentee moves to an earlier mentor that still has a free place and scores the same with it;
- an unmatched mentee takes the place of a later mentee whose score with that mentor is the same.

They are applied until neither is possible. The first keeps the set of matched mentees and lowers
the sum of mentor indices; the second replaces a matched mentee by an earlier one. Either way the
pair (sorted matched mentees, sum of mentor indices) decreases, so the loop ends.
"""

from __future__ import annotations

import heapq

import numpy as np

from mentoring.domain.matching.pool import INELIGIBLE, Ints, Mask, Points, row_blocks


def prefer_earlier_ids(scores: Points, capacity: Ints, mentor_of: Ints) -> Ints:
    """`mentor_of` (mentee -> mentor index, -1 if none) with its ties resolved towards early ids."""
    mentor_of = mentor_of.copy()
    while _to_earlier_mentors(scores, capacity, mentor_of) | _to_earlier_mentees(scores, mentor_of):
        pass
    return mentor_of


def _to_earlier_mentors(scores: Points, capacity: Ints, mentor_of: Ints) -> bool:
    m = scores.shape[1]
    taken = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    matched = np.flatnonzero(mentor_of >= 0)
    moved = False
    for part in row_blocks(len(matched), m):
        rows = matched[part]
        block = scores[rows]
        now = mentor_of[rows]
        same = block == block[np.arange(len(rows)), now][:, None]
        earlier = np.arange(m)[None, :] < now[:, None]
        options = same & earlier & (taken < capacity)[None, :]
        for r in np.flatnonzero(options.any(axis=1)):
            free = np.flatnonzero(options[r] & (taken < capacity))
            if free.size:
                taken[mentor_of[rows[r]]] -= 1
                taken[free[0]] += 1
                mentor_of[rows[r]] = free[0]
                moved = True
    return moved


def _to_earlier_mentees(scores: Points, mentor_of: Ints) -> bool:
    """Let waiting mentees, earliest first, take places; whoever is displaced waits in turn.

    A place only ever passes to an earlier mentee with the same score, so a slot's score never
    changes and its mentee only gets earlier: a mentee without hope at the start gets none later.
    """
    m = scores.shape[1]
    matched = np.flatnonzero(mentor_of >= 0)
    waiting = np.flatnonzero(mentor_of < 0)
    if not matched.size or not waiting.size:
        return False
    taken = np.bincount(mentor_of[matched], minlength=m)
    slot_id = np.full((int(taken.max()), m), -1, dtype=np.int64)
    slot_score = np.full(slot_id.shape, INELIGIBLE, dtype=np.int64)
    filled = np.zeros(m, dtype=np.int64)
    for i in matched.tolist():
        j = mentor_of[i]
        slot_id[filled[j], j], slot_score[filled[j], j] = i, scores[i, j]
        filled[j] += 1

    def hopes(rows: Ints) -> Mask:
        block = scores[rows]
        found = np.zeros(block.shape, dtype=np.bool_)
        for k in range(slot_id.shape[0]):
            found |= (block == slot_score[k]) & (rows[:, None] < slot_id[k])
        hopeful: Mask = found & (block != INELIGIBLE)
        return hopeful

    queue = [
        int(u)
        for part in row_blocks(len(waiting), m)
        for u in waiting[part][hopes(waiting[part]).any(axis=1)]
    ]
    heapq.heapify(queue)
    swapped = False
    while queue:
        u = heapq.heappop(queue)
        row = scores[u]
        # slot (k, j) can go to u: same score as u has with j, held by a later mentee
        open_slots = (slot_score == row[None, :]) & (slot_id > u) & (row != INELIGIBLE)[None, :]
        columns = np.flatnonzero(open_slots.any(axis=0))
        if not columns.size:
            continue
        j = int(columns[0])
        k = int(np.argmax(np.where(open_slots[:, j], slot_id[:, j], -1)))  # the latest mentee
        displaced = int(slot_id[k, j])
        slot_id[k, j] = u
        mentor_of[displaced], mentor_of[u] = -1, j
        heapq.heappush(queue, displaced)
        swapped = True
    return swapped
