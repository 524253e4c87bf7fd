"""Programs (producer: mentoring; topic ``mentoring.programs``, keyed by program)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Email, Id, Language, Name, Text
from mentorship_contracts.topics import Topic


class ProgramAdmin(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    user_id: Id
    display_name: Name | None = None
    email: Email | None = None
    language: Language = "en"


class ProgramPublished(
    EventPayload,
    type="mentoring.program.published",
    version=1,
    topic=Topic.MENTORING_PROGRAMS,
    key_field="program_id",
):
    """The whole current state of a program, sent on creation and after every change."""

    program_id: Id
    name: Name
    description: Text = ""
    status: Literal["draft", "open", "closed"]
    learning_path_id: Id
    admins: list[ProgramAdmin] = Field(min_length=1)
    stall_window_days: int = Field(
        default=14, ge=1, le=365, description="days without activity before a mentee is stalled"
    )
    check_in_reminder_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="days a mentee goes without checking in before being reminded to",
    )
