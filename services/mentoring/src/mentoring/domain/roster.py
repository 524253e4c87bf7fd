"""Where a participant stands in their program, derived from them and their matches.

Nothing here is stored: a participant's standing follows from their own status and the status of
the matches naming them on either side (as mentee or as mentor), so it can never disagree with
them. In order of precedence:

- ``withdrawn``: they left the program (whatever their matches were);
- ``active``: one of their matches is active;
- ``proposed``: one is proposed, none active;
- ``completed``: none is open and one was completed;
- ``unmatched``: none is open or completed (never matched, or only declined, expired or ended
  early proposals and matches: they may be matched again).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant

SEARCH_MAX = 100


class Standing(StrEnum):
    UNMATCHED = "unmatched"
    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


def standing(participant: Participant, statuses: Iterable[MatchStatus]) -> Standing:
    """The standing of ``participant``, given the statuses of every match naming them."""
    if not participant.is_active:
        return Standing.WITHDRAWN
    seen = set(statuses)
    if MatchStatus.ACTIVE in seen:
        return Standing.ACTIVE
    if MatchStatus.PROPOSED in seen:
        return Standing.PROPOSED
    if MatchStatus.COMPLETED in seen:
        return Standing.COMPLETED
    return Standing.UNMATCHED


def found_by(participant: Participant, search: str | None) -> bool:
    """Whether ``search`` (case and surrounding spaces ignored) is part of the participant's
    name or e-mail address; no search finds everyone. Plain text, never a pattern."""
    if search is None:
        return True
    wanted = search.strip().casefold()
    if not wanted:
        return True
    return wanted in participant.display_name.casefold() or wanted in participant.email.casefold()
