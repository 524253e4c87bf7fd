from collections.abc import Mapping
from datetime import UTC, datetime

from notify.domain.directory import Directory, Language, ProgramAdmins, Recipient, Role
from notify.domain.events import EventKind, Occurrence
from notify.domain.notifications import Notification, Priority, notification_id

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PROGRAM = "pg-1"


def person(
    person_id: str,
    name: str,
    *,
    roles: tuple[Role, ...] = (Role.MENTEE,),
    language: Language = Language.EN,
    timezone: str = "Europe/Paris",
    user_id: str | None = None,
    email: str | None = "someone@example.com",
    withdrawn: bool = False,
) -> Recipient:
    return Recipient(
        person_id=person_id,
        user_id=user_id,
        display_name=name,
        email=email,
        language=language,
        timezone=timezone,
        roles=frozenset(roles),
        program_id=PROGRAM,
        withdrawn=withdrawn,
    )


ADA = person("pt-ada", "Ada", user_id="u-ada")
GRACE = person("pt-grace", "Grace", roles=(Role.MENTOR,), user_id="u-grace")
ALAN = person("u-alan", "Alan", roles=(Role.ADMIN,), user_id="u-alan", timezone="UTC")
CHLOE = person("u-chloe", "Chloé", roles=(Role.ADMIN,), user_id="u-chloe", language=Language.FR)


def directory(
    *people: Recipient, admins: tuple[Recipient, ...] | None = (ALAN, CHLOE)
) -> Directory:
    return Directory.of(
        people or (ADA, GRACE),
        () if admins is None else (ProgramAdmins(PROGRAM, admins),),
    )


def occurrence(
    kind: EventKind,
    details: Mapping[str, str | int] | None = None,
    *,
    event_id: str = "ev-1",
    mentor_id: str | None = "pt-grace",
    mentee_name: str | None = "Ada",
    mentor_name: str | None = "Grace",
) -> Occurrence:
    return Occurrence(
        kind=kind,
        event_id=event_id,
        occurred_at=NOW,
        program_id=PROGRAM,
        mentee_id="pt-ada",
        mentor_id=mentor_id,
        mentee_name=mentee_name,
        mentor_name=mentor_name,
        details=details or {},
    )


def notification(
    *,
    kind: EventKind = EventKind.MILESTONE_COMPLETED,
    priority: Priority = Priority.LOW,
    recipient_id: str = "pt-grace",
    event_id: str = "ev-1",
    created_at: datetime = NOW,
    title: str = "Ada reached a milestone",
    body: str = "Ada reached the milestone “Profile”.",
) -> Notification:
    return Notification(
        notification_id=notification_id(event_id, recipient_id, kind),
        recipient_id=recipient_id,
        kind=kind,
        priority=priority,
        title=title,
        body=body,
        html_body=f"<p>{body}</p>",
        subject_id="pt-ada",
        created_at=created_at,
        event_id=event_id,
    )
