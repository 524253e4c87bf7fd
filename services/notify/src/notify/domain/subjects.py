"""What a notification is about, id by id, so that a front end opens the right page.

The ids come from the occurrence behind the notification, that is from the event notify consumed
(or the reminder it scheduled): every notification names its program and mentee; a match's events
name the match; a confidence drop its module and check-in; a milestone its module and milestone;
a module its module; a completed path the learning path; a session-rating reminder the session;
a planned session's planning, reschedule and cancellation, and the reminder to confirm it,
the planned session.
A notification stored before these ids were kept has none of them (``About.of_document``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from notify.domain.events import Detail, Occurrence


@dataclass(frozen=True)
class About:
    program_id: str | None = None
    mentee_id: str | None = None
    match_id: str | None = None
    module_id: str | None = None
    milestone_id: str | None = None
    check_in_id: str | None = None
    session_id: str | None = None
    learning_path_id: str | None = None
    planned_session_id: str | None = None

    def document(self) -> dict[str, str]:
        """The ids it names, and only those."""
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def of_document(cls, document: Mapping[str, Any] | None) -> About:
        """As stored; absent (an older notification) or unknown keys give nothing."""
        if not isinstance(document, Mapping):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in document.items() if k in known and isinstance(v, str) and v})


def about(occurrence: Occurrence) -> About:
    return About(
        program_id=occurrence.program_id,
        mentee_id=occurrence.mentee_id,
        match_id=occurrence.text(Detail.MATCH_ID),
        module_id=occurrence.text(Detail.MODULE_ID),
        milestone_id=occurrence.text(Detail.MILESTONE_ID),
        check_in_id=occurrence.text(Detail.CHECK_IN_ID),
        session_id=occurrence.text(Detail.SESSION_ID),
        learning_path_id=occurrence.text(Detail.LEARNING_PATH_ID),
        planned_session_id=occurrence.text(Detail.PLANNED_SESSION_ID),
    )
