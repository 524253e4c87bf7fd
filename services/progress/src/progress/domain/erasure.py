"""What an erasure leaves of a tracking: every text the erased person wrote or was written about
them goes, the figures stay (confidence levels, dates, durations, ratings, statuses), so reports
and the other side's history stay right.

As the mentee of a tracking, all its texts go: check-in notes, milestone evidence and reopen
reasons, session notes. As one of its mentors, what they wrote goes (their check-in notes, the
evidence and reasons of the milestones they marked) and the notes of the sessions logged while they
were the mentor (notes of the pair's session, about them too), with nothing of the mentee's other
mentors touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from progress.domain.tracking import MentorAssignment, Tracking

_Chooser = Callable[[str | None, datetime], bool]
"""Whether a text written by a role (None: a session's, by both) at a moment is erased."""


def erase_mentee(tracking: Tracking) -> tuple[Tracking, Counter[str]]:
    """The tracking without any text; how many texts went, by kind."""
    return _erase(tracking, lambda _role, _at: True)


def erase_mentor(tracking: Tracking, mentor_id: str) -> tuple[Tracking, Counter[str]]:
    """The tracking without what ``mentor_id`` wrote in it while they were its mentor."""
    return _erase(tracking, written_as_mentor(tracking.mentors, mentor_id))


def written_as_mentor(
    mentors: Iterable[MentorAssignment], mentor_id: str
) -> Callable[[str | None, datetime], bool]:
    """Whether a text written by a role (None: a session's, by both) at a moment is
    ``mentor_id``'s as the tracking's mentor: written by the mentor, or a session, while they
    were it. An erasure removes these; an export gives them to that mentor."""
    spans = [m for m in mentors if m.mentor_id == mentor_id]

    def theirs(role: str | None, at: datetime) -> bool:
        return (role is None or role == "mentor") and any(_within(m, at) for m in spans)

    return theirs


def _within(assignment: MentorAssignment, at: datetime) -> bool:
    until = assignment.until
    return _utc(assignment.since) <= _utc(at) and (until is None or _utc(at) < _utc(until))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _erase(tracking: Tracking, chosen: _Chooser) -> tuple[Tracking, Counter[str]]:
    counts: Counter[str] = Counter()
    check_ins = []
    for check_in in tracking.check_ins:
        if check_in.note is not None and chosen(check_in.assessed_by, check_in.recorded_at):
            counts["check_in_notes"] += 1
            check_ins.append(replace(check_in, note=None))
        else:
            check_ins.append(check_in)
    milestones = []
    for entry in tracking.milestones:
        if (entry.evidence is not None or entry.reason is not None) and chosen(entry.by, entry.at):
            counts["milestone_texts"] += 1
            milestones.append(replace(entry, evidence=None, reason=None))
        else:
            milestones.append(entry)
    sessions = []
    for session in tracking.sessions:
        if session.notes is not None and chosen(None, session.logged_at):
            counts["session_notes"] += 1
            sessions.append(replace(session, notes=None))
        else:
            sessions.append(session)
    erased = replace(
        tracking, check_ins=tuple(check_ins), milestones=tuple(milestones), sessions=tuple(sessions)
    )
    return erased, counts
