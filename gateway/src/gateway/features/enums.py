"""The closed sets of values the API speaks, as GraphQL enums.

GraphQL sees each member's name (``ON_TRACK``); its value is the services' wire value
(``"on_track"``), so the gateway converts at its edge: ``ProgressStatus(body["status"])`` for what
a service answers, ``status.value`` for what it sends. A test holds these values to the services'
own. (``Trend`` is in ``progress_types``; ``NotFoundKind`` and ``ObjectState`` in ``errors``.)
"""

from __future__ import annotations

from enum import Enum

import strawberry

# ---- programs and matching ----------------------------------------------------------------------


@strawberry.enum
class ProgramStatus(Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@strawberry.enum(description="Whether matching prefers a mentor of the mentee's department.")
class DepartmentPreference(Enum):
    SAME = "same"
    CROSS = "cross"
    NONE = "none"


@strawberry.enum(description="What the matching engine scores a mentor on.")
class Criterion(Enum):
    GOAL_COVERAGE = "goal_coverage"
    TIMEZONE_OVERLAP = "timezone_overlap"
    AVAILABILITY_OVERLAP = "availability_overlap"
    DEPARTMENT = "department"
    RANKED_PREFERENCE = "ranked_preference"
    LOAD_BALANCE = "load_balance"


@strawberry.enum
class MatchingObjective(Enum):
    BEST_FIT = "best_fit"
    MOST_MATCHED = "most_matched"


# ---- participants ---------------------------------------------------------------------------


@strawberry.enum(description="What a person is in a program (a session is rated by one of them).")
class ParticipantRole(Enum):
    MENTOR = "mentor"
    MENTEE = "mentee"


@strawberry.enum
class ParticipantStatus(Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="The language a person's notifications are written in.")
class Language(Enum):
    EN = "en"
    FR = "fr"


@strawberry.enum(description="A role your token gives you.")
class AccountRole(Enum):
    ADMIN = "admin"
    MENTOR = "mentor"
    MENTEE = "mentee"


# ---- matches --------------------------------------------------------------------------------


@strawberry.enum
class MatchStatus(Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    CANCELLED = "cancelled"


@strawberry.enum
class MatchOutcome(Enum):
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


@strawberry.enum(
    description="Who proposed a match: an admin, a cohort matching run, the mentee, or the "
    "escalation after a declined or expired proposal."
)
class ProposedBy(Enum):
    ADMIN = "admin"
    COHORT_RUN = "cohort_run"
    MENTEE = "mentee"
    ESCALATION = "escalation"


# ---- progress -------------------------------------------------------------------------------


@strawberry.enum(description="How a mentee is doing.")
class ProgressStatus(Enum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    STALLED = "stalled"
    COMPLETED = "completed"
    PAUSED = "paused"
    STOPPED = "stopped"


@strawberry.enum(description="Where a mentee's tracking stands.")
class TrackingState(Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


# ---- notifications --------------------------------------------------------------------------


@strawberry.enum(description="What a notification is about.")
class NotificationKind(Enum):
    MATCH_PROPOSED = "match.proposed"
    MATCH_ACCEPTED = "match.accepted"
    MATCH_DECLINED = "match.declined"
    MATCH_EXPIRED = "match.expired"
    MATCH_ENDED = "match.ended"
    MATCH_CANCELLED = "match.cancelled"
    MATCH_ACCEPTANCE_GIVEN = "match.acceptance_given"
    PROGRESS_MENTEE_STALLED = "progress.mentee_stalled"
    PROGRESS_MENTEE_STILL_STALLED = "progress.mentee_still_stalled"
    PROGRESS_CONFIDENCE_DROPPED = "progress.confidence_dropped"
    PROGRESS_MILESTONE_COMPLETED = "progress.milestone_completed"
    PROGRESS_MODULE_COMPLETED = "progress.module_completed"
    PROGRESS_PATH_COMPLETED = "progress.path_completed"
    PROGRESS_SESSION_LOGGED_WITHOUT_RATING = "progress.session_logged_without_rating"
    PROGRESS_MENTEE_BACK_ON_TRACK = "progress.mentee_back_on_track"
    PARTICIPANT_WITHDRAWN = "participant.withdrawn"
    PROGRESS_SESSION_PLANNED = "progress.session_planned"
    PROGRESS_SESSION_RESCHEDULED = "progress.session_rescheduled"
    PROGRESS_SESSION_CANCELLED = "progress.session_cancelled"
    PROGRESS_CHECK_IN_OVERDUE = strawberry.enum_value(
        "progress.check_in_overdue",
        description="A reminder to a mentee who has not checked in for the program's days.",
    )
    MATCH_PROPOSAL_EXPIRING = strawberry.enum_value(
        "match.proposal_expiring",
        description="A reminder to a mentor a day before an unanswered proposal lapses.",
    )
    PROGRESS_SESSION_TO_CONFIRM = strawberry.enum_value(
        "progress.session_to_confirm",
        description="A reminder to both sides of a planned session, two hours after its end, "
        "to confirm it took place (or cancel it); about the planned session.",
    )
    MENTOR_WEEKLY_DIGEST = strawberry.enum_value(
        "mentor.weekly_digest",
        description="A mentor's weekly digest of their mentees' status changes, sent after each "
        "week at a fixed local time; about the program, no single mentee. The one kind an empty "
        "list of channels turns off.",
    )


@strawberry.enum
class NotificationPriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@strawberry.enum(
    description="Where a notification reaches you (in-app always, unless its kind is turned off)."
)
class NotificationChannel(Enum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


@strawberry.enum(description="E-mails one by one, or once a day at your digest hour.")
class DigestMode(Enum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
