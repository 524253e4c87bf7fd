"""When a confidence check-in is a drop a mentor must hear about.

Confidence is 1 (low) to 5 (high). The levels given here are one assessor's check-ins on one
module, oldest first: mentee and mentor do not use the scale alike, and a mentor rating lower than
the mentee just did is a second opinion, not a loss of confidence, so the caller never mixes them.
"""

from __future__ import annotations

from collections.abc import Sequence

DROP_LEVELS = 2
"""A check-in this many levels or more below the recent best is a drop."""

DROP_WINDOW = 3
"""How many check-ins before a check-in make up "recent" for the best it is compared with."""

LOWEST = 1


def latest_is_drop(levels: Sequence[int]) -> bool:
    """Whether the last of ``levels`` (oldest first) is a drop compared with those before it.

    A check-in is a drop when it falls below the previous one and either

    - falls to 1 (the bottom of the scale) from anything higher, or
    - is ``DROP_LEVELS`` (2) or more below the best of the ``DROP_WINDOW`` (3) check-ins before it.

    So 2 → 1 and 4 → 2 are drops; 4 → 2 → 1 is a drop at 2 and again at 1 (it got worse);
    4 → 3 → 2 is a drop at 2, a slide one level at a time that a comparison with the previous
    check-in alone never sees; 3 → 3 → 2 is not. A first check-in is never a drop, nor is a
    check-in that stays level or rises: 4 → 2 → 2 alerts once, not at every check-in after the
    fall.

    Three check-ins make up "recent" because a check-in comes with about each session, so they
    span the last few weeks: long enough to catch a slide of one level per check-in, short enough
    that a high from months ago stops counting once the mentee has settled lower
    (5, 4, 4, 4, 3 is one level below where they have been, not an alarm). It is also the span
    the confidence trend reads.
    """
    if len(levels) < 2:
        return False
    *earlier, level = levels
    previous = earlier[-1]
    if level >= previous:
        return False
    return level == LOWEST or max(earlier[-DROP_WINDOW:]) - level >= DROP_LEVELS
