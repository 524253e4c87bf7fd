"""The event catalog. Importing this package registers every payload class."""

from mentorship_contracts.events.audit import AdminAction, AdminActionRecorded
from mentorship_contracts.events.matches import (
    MatchAcceptanceGiven,
    MatchAcceptanceGivenV1,
    MatchAccepted,
    MatchAcceptedV1,
    MatchCancelled,
    MatchCancelledV1,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
    MatchProposedV1,
)
from mentorship_contracts.events.notifications import (
    NotificationAbout,
    NotificationCreated,
    NotificationCreatedV1,
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
    "AdminAction",
    "AdminActionRecorded",
    "CheckInRecorded",
    "ConfidenceDropped",
    "MatchAcceptanceGiven",
    "MatchAcceptanceGivenV1",
    "MatchAccepted",
    "MatchAcceptedV1",
    "MatchCancelled",
    "MatchCancelledV1",
    "MatchDeclined",
    "MatchEnded",
    "MatchExpired",
    "MatchProposed",
    "MatchProposedV1",
    "MenteeBackOnTrack",
    "MenteeStalled",
    "MenteeStillStalled",
    "MentoringExportPartReady",
    "MilestoneCompleted",
    "MilestoneReopened",
    "ModuleCompleted",
    "NotificationAbout",
    "NotificationCreated",
    "NotificationCreatedV1",
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
