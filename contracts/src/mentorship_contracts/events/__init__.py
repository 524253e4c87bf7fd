"""The event catalog. Importing this package registers every payload class."""

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
from mentorship_contracts.events.personal_data import (
    MentoringExportPartReady,
    NotifyExportPartReady,
    PersonalDataExportRequested,
    ProgressExportPartReady,
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
    "MentoringExportPartReady",
    "MilestoneCompleted",
    "MilestoneReopened",
    "ModuleCompleted",
    "NotificationAbout",
    "NotificationCreated",
    "NotificationRead",
    "NotifyExportPartReady",
    "ParticipantRegistered",
    "ParticipantUpdated",
    "ParticipantWithdrawn",
    "PathCompleted",
    "PersonalDataExportRequested",
    "PlannedSessionCancelled",
    "PlannedSessionRescheduled",
    "ProgramAdmin",
    "ProgramPublished",
    "ProgressExportPartReady",
    "SessionLogged",
    "SessionPlanned",
    "SessionRated",
]
