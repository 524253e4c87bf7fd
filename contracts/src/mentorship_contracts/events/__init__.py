"""The event catalog. Importing this package registers every payload class."""

from mentorship_contracts.events.audit import AdminAction, AdminActionRecorded
from mentorship_contracts.events.matches import (
    MatchAcceptanceGiven,
    MatchAccepted,
    MatchCancelled,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
)
from mentorship_contracts.events.notifications import (
    NotificationAbout,
    NotificationCreated,
    NotificationRead,
)
from mentorship_contracts.events.participants import (
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrawn,
)
from mentorship_contracts.events.planned_sessions import (
    PlannedSessionCancelled,
    PlannedSessionRescheduled,
    SessionPlanned,
)
from mentorship_contracts.events.programs import ProgramAdmin, ProgramPublished
from mentorship_contracts.events.progress import (
    CheckInRecorded,
    ConfidenceDropped,
    MenteeBackOnTrack,
    MenteeStalled,
    MenteeStillStalled,
    MilestoneCompleted,
    MilestoneReopened,
    ModuleCompleted,
    PathCompleted,
    SessionLogged,
    SessionRated,
)

__all__ = [
    "AdminAction",
    "AdminActionRecorded",
    "CheckInRecorded",
    "ConfidenceDropped",
    "MatchAcceptanceGiven",
    "MatchAccepted",
    "MatchCancelled",
    "MatchDeclined",
    "MatchEnded",
    "MatchExpired",
    "MatchProposed",
    "MenteeBackOnTrack",
    "MenteeStalled",
    "MenteeStillStalled",
    "MilestoneCompleted",
    "MilestoneReopened",
    "ModuleCompleted",
    "NotificationAbout",
    "NotificationCreated",
    "NotificationRead",
    "ParticipantRegistered",
    "ParticipantUpdated",
    "ParticipantWithdrawn",
    "PathCompleted",
    "PlannedSessionCancelled",
    "PlannedSessionRescheduled",
    "ProgramAdmin",
    "ProgramPublished",
    "SessionLogged",
    "SessionPlanned",
    "SessionRated",
]
