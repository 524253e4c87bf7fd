"""Hard constraints: a pair that breaks one is never suggested nor assigned."""

from __future__ import annotations

from mentoring.domain.matching.model import Exclusion, MenteeCandidate, MentorCandidate


def violations(mentee: MenteeCandidate, mentor: MentorCandidate) -> list[Exclusion]:
    """Every hard constraint the pair breaks, in `Exclusion` order; empty when it is eligible."""
    broken: list[Exclusion] = []
    if mentee.id == mentor.id:
        broken.append(Exclusion.SELF)
    if not mentee.languages & mentor.languages:
        broken.append(Exclusion.NO_SHARED_LANGUAGE)
    if mentor.capacity <= 0:
        broken.append(Exclusion.NO_CAPACITY)
    if mentee.manager_id == mentor.id or mentor.manager_id == mentee.id:
        broken.append(Exclusion.REPORTING_LINE)
    if mentor.id in mentee.excluded_mentors:
        broken.append(Exclusion.PREVIOUSLY_DECLINED_OR_ENDED)
    return broken


def is_eligible(mentee: MenteeCandidate, mentor: MentorCandidate) -> bool:
    return not violations(mentee, mentor)
