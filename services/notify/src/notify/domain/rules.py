"""Who is told what, and how urgently: the rule table, and planning the notifications of one
occurrence from it.

Choices the table encodes:
- ``match.ended`` tells the mentee and the mentor (both need to know whoever ended it).
- A high-priority alert meant for the mentor (stall, confidence drop) goes to the program's
  admins when the mentee has no mentor: somebody must be able to step in. Lower-priority news
  for a missing mentor is skipped, and the plan says so.
- A person reached through several audiences (a mentor who is also an admin) gets one
  notification, worded for the first audience of the rule (mentee, then mentor, then admins).
- The mentee is not shown the reason a mentor gave for declining; the admins are. Neither side
  is shown the reason an admin gave for cancelling a proposal (it is kept on the match).
- A proposal is announced to both sides; where the mentee must accept too (``answer_from``:
  both), the texts ask both to answer. A declined proposal is told to the other side (and the
  admins), whoever declined; a proposal closed because one side withdrew from the program is
  told to the other side only (the admins hear of the withdrawal); an acceptance that still
  waits for the other side is told to it.
- ``participant.withdrawn`` tells the program's admins that someone left (its occurrence names
  that person as its subject, ``mentee_id``, whatever their role); each side of their matches
  is told by those matches' own events (ended early, declined).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from notify.domain import invitations, texts
from notify.domain.directory import Audience, DirectoryLookup, Recipient
from notify.domain.errors import Invalid
from notify.domain.events import Detail, EventKind, Occurrence
from notify.domain.notifications import Notification, Priority, notification_id
from notify.domain.subjects import about


@dataclass(frozen=True)
class Rule:
    kind: EventKind
    audiences: tuple[Audience, ...]
    priority: Priority
    requires: tuple[Detail, ...] = ()
    without_mentor: tuple[Audience, ...] = ()
    text_variant: Detail | None = None
    audience_detail: Detail | None = None


MENTOR, MENTEE, ADMINS = Audience.MENTOR, Audience.MENTEE, Audience.ADMINS
LOW, NORMAL, HIGH = Priority.LOW, Priority.NORMAL, Priority.HIGH
K, D = EventKind, Detail

# Audiences are listed in order of precedence. ``requires``: the details the texts need;
# ``without_mentor``: who is told instead when the mentee has no mentor; ``text_variant``: the
# detail that picks the wording; ``audience_detail``: the detail that names the audience.
RULES: Mapping[EventKind, Rule] = {
    rule.kind: rule
    for rule in (
        Rule(
            K.MATCH_PROPOSED,
            (MENTOR, MENTEE),
            NORMAL,
            requires=(D.EXPIRES_AT,),
            text_variant=D.ANSWER_FROM,
        ),
        Rule(
            K.MATCH_ACCEPTANCE_GIVEN,
            (),
            NORMAL,
            requires=(D.EXPIRES_AT, D.ACCEPTED_BY),
            text_variant=D.ACCEPTED_BY,
            audience_detail=D.ACCEPTED_BY,
        ),
        Rule(K.MATCH_ACCEPTED, (MENTEE,), NORMAL),
        Rule(
            K.MATCH_DECLINED,
            (),
            NORMAL,
            text_variant=D.DECLINED_BY,
            audience_detail=D.DECLINED_BY,
        ),
        Rule(K.MATCH_CANCELLED, (MENTEE, MENTOR), NORMAL),
        Rule(K.MATCH_EXPIRED, (MENTEE, ADMINS), NORMAL),
        Rule(
            K.MATCH_ENDED,
            (MENTEE, MENTOR),
            NORMAL,
            requires=(D.OUTCOME,),
            text_variant=D.OUTCOME,
        ),
        Rule(
            K.MENTEE_STALLED,
            (MENTOR,),
            HIGH,
            requires=(D.DAYS,),
            without_mentor=(ADMINS,),
        ),
        Rule(K.MENTEE_STILL_STALLED, (ADMINS,), HIGH, requires=(D.DAYS,)),
        Rule(
            K.CONFIDENCE_DROPPED,
            (MENTOR,),
            HIGH,
            requires=(D.MODULE_ID, D.PREVIOUS_CONFIDENCE, D.CONFIDENCE),
            without_mentor=(ADMINS,),
        ),
        Rule(K.MILESTONE_COMPLETED, (MENTOR,), LOW, requires=(D.MODULE_ID, D.MILESTONE_ID)),
        Rule(K.MODULE_COMPLETED, (MENTOR,), LOW, requires=(D.MODULE_ID,)),
        Rule(K.PATH_COMPLETED, (MENTEE, MENTOR, ADMINS), NORMAL),
        Rule(
            K.SESSION_NOT_RATED,
            (),
            LOW,
            requires=(D.NOT_RATED_BY,),
            audience_detail=D.NOT_RATED_BY,
        ),
        Rule(K.MENTEE_BACK_ON_TRACK, (MENTOR,), LOW),
        Rule(K.PARTICIPANT_WITHDRAWN, (ADMINS,), NORMAL),
        *(
            Rule(kind, (MENTEE, MENTOR), NORMAL, requires=(D.STARTS_AT, D.PLANNED_SESSION_ID))
            for kind in (K.SESSION_PLANNED, K.SESSION_RESCHEDULED, K.SESSION_CANCELLED)
        ),
        # reminders (notify.service_layer.nudges): once per episode, worded as nudges
        Rule(K.CHECK_IN_OVERDUE, (MENTEE,), NORMAL, requires=(D.DAYS,)),
        Rule(K.PROPOSAL_EXPIRING, (MENTOR,), NORMAL, requires=(D.EXPIRES_AT,)),
        Rule(
            K.SESSION_TO_CONFIRM,
            (MENTEE, MENTOR),
            NORMAL,
            requires=(D.STARTS_AT, D.PLANNED_SESSION_ID),
        ),
        # composed from a week of occurrences (notify.service_layer.weekly_digests), never
        # planned from one: no audience here, only its priority
        Rule(K.MENTOR_WEEKLY_DIGEST, (), NORMAL),
    )
}

OUTCOMES = (texts.COMPLETED, texts.ENDED_EARLY)
NOT_RATED_BY: Mapping[str, tuple[Audience, ...]] = {
    "mentee": (MENTEE,),
    "mentor": (MENTOR,),
    "both": (MENTEE, MENTOR),
}
SIDES = (texts.MENTEE_SIDE, texts.MENTOR_SIDE)
ANSWERS_FROM = (texts.MENTOR_SIDE, texts.BOTH)
AUDIENCES_BY: Mapping[Detail, Mapping[str, tuple[Audience, ...]]] = {
    D.NOT_RATED_BY: NOT_RATED_BY,
    # the side that did not decline, and the admins; only the other side when the proposal
    # closed because one side withdrew (the admins are told of the withdrawal itself)
    D.DECLINED_BY: {
        texts.MENTOR_SIDE: (MENTEE, ADMINS),
        texts.MENTEE_SIDE: (MENTOR, ADMINS),
        texts.MENTOR_WITHDREW: (MENTEE,),
        texts.MENTEE_WITHDREW: (MENTOR,),
    },
    # the side that has yet to accept
    D.ACCEPTED_BY: {texts.MENTOR_SIDE: (MENTEE,), texts.MENTEE_SIDE: (MENTOR,)},
}


CHOICES: Mapping[Detail, tuple[str, ...]] = {
    D.NOT_RATED_BY: tuple(NOT_RATED_BY),
    D.DECLINED_BY: (*SIDES, texts.MENTEE_WITHDREW, texts.MENTOR_WITHDREW),
    D.ACCEPTED_BY: SIDES,
    D.ANSWER_FROM: ANSWERS_FROM,
}

UNSAID: Mapping[Detail, str] = {D.ANSWER_FROM: texts.MENTOR_SIDE, D.DECLINED_BY: texts.MENTOR_SIDE}
"""What a choice left out of an event means: events from before mutual acceptance carry none."""


class SkipReason(StrEnum):
    WITHDRAWN = "withdrawn"
    NO_MENTOR = "no_mentor"
    NO_ADMIN = "no_admin"


@dataclass(frozen=True)
class UnknownRecipient:
    """Not in the directory yet: the service parks the occurrence and plans it again later.

    ``person_id`` is None when it is the program's list of admins that is unknown.
    """

    audience: Audience
    person_id: str | None
    program_id: str


@dataclass(frozen=True)
class Skipped:
    audience: Audience
    person_id: str | None
    reason: SkipReason


@dataclass(frozen=True)
class Plan:
    notifications: tuple[Notification, ...]
    unknown: tuple[UnknownRecipient, ...] = ()
    skipped: tuple[Skipped, ...] = ()


def plan(occurrence: Occurrence, directory: DirectoryLookup) -> Plan:
    rule = RULES[occurrence.kind]
    facts = _Facts.read(occurrence, rule, directory)
    audiences, skipped = _audiences(occurrence, rule, facts)
    notifications: list[Notification] = []
    unknown: list[UnknownRecipient] = []
    addressed: set[str] = set()
    for audience in audiences:
        members = _members(audience, occurrence, directory)
        if isinstance(members, UnknownRecipient):
            unknown.append(members)
            continue
        if not members:
            skipped.append(Skipped(audience, None, SkipReason.NO_ADMIN))
        for recipient in members:
            if recipient.withdrawn:
                skipped.append(Skipped(audience, recipient.person_id, SkipReason.WITHDRAWN))
                continue
            ids = {i for i in (recipient.person_id, recipient.user_id) if i}
            if ids & addressed:
                continue
            addressed |= ids
            notifications.append(_notification(occurrence, rule, facts, audience, recipient))
    notified = invitations.attach(occurrence, directory, tuple(notifications))
    return Plan(notified, tuple(unknown), tuple(skipped))


def _audiences(
    occurrence: Occurrence, rule: Rule, facts: _Facts
) -> tuple[list[Audience], list[Skipped]]:
    audiences = list(rule.audiences)
    if rule.audience_detail is not None:
        audiences = list(AUDIENCES_BY[rule.audience_detail][facts.chosen[rule.audience_detail]])
    if MENTOR not in audiences or occurrence.mentor_id is not None:
        return audiences, []
    instead = [a for a in audiences if a is not MENTOR]
    instead += [a for a in rule.without_mentor if a not in instead]
    return instead, [Skipped(MENTOR, None, SkipReason.NO_MENTOR)]


def _members(
    audience: Audience, occurrence: Occurrence, directory: DirectoryLookup
) -> tuple[Recipient, ...] | UnknownRecipient:
    if audience is ADMINS:
        admins = directory.program_admins(occurrence.program_id)
        if admins is None:
            return UnknownRecipient(ADMINS, None, occurrence.program_id)
        return admins.admins
    person_id = occurrence.mentee_id if audience is MENTEE else occurrence.mentor_id
    person = directory.person(person_id) if person_id else None
    if person is None:
        return UnknownRecipient(audience, person_id, occurrence.program_id)
    return (person,)


def _notification(
    occurrence: Occurrence, rule: Rule, facts: _Facts, audience: Audience, recipient: Recipient
) -> Notification:
    variant = facts.variant(occurrence, rule)
    values = {**facts.values(recipient), **invitations.values(occurrence, recipient)}
    rendered = texts.render(occurrence.kind, audience, variant, recipient.language, values)
    return Notification(
        notification_id=notification_id(occurrence.event_id, recipient.person_id, occurrence.kind),
        recipient_id=recipient.person_id,
        kind=occurrence.kind,
        priority=rule.priority,
        title=rendered.title,
        body=rendered.body,
        html_body=rendered.html,
        subject_id=occurrence.mentee_id,
        created_at=occurrence.occurred_at.astimezone(UTC),
        event_id=occurrence.event_id,
        about=about(occurrence),
    )


@dataclass(frozen=True)
class _Facts:
    """The details of an occurrence, checked once, before anything is planned."""

    mentee: str | None
    mentor: str | None
    has_mentor: bool
    deadline: datetime | None
    days: int | None
    module: str | None
    milestone: str | None
    module_titles: Mapping[str, str]
    milestone_titles: Mapping[str, str]
    """The titles by language, where the event gave them (``module`` and ``milestone``: in the
    path's own language, or the ids)."""
    previous_confidence: int | None
    confidence: int | None
    path: str | None
    reason: str | None
    session_date: date | None
    outcome: str | None
    chosen: Mapping[Detail, str]
    """The details that pick a wording or an audience, each checked against its choices."""

    @classmethod
    def read(cls, occurrence: Occurrence, rule: Rule, directory: DirectoryLookup) -> _Facts:
        for key in rule.requires:
            if occurrence.details.get(key) in (None, ""):
                raise Invalid(f"details.{key}", f"is required for {occurrence.kind}")
        return cls(
            mentee=_name(occurrence.mentee_name, occurrence.mentee_id, directory),
            mentor=_name(occurrence.mentor_name, occurrence.mentor_id, directory),
            has_mentor=occurrence.mentor_id is not None or bool(occurrence.mentor_name),
            deadline=_moment(occurrence, D.EXPIRES_AT),
            days=occurrence.whole(D.DAYS, 1, 36500),
            module=occurrence.text(D.MODULE_TITLE) or occurrence.text(D.MODULE_ID),
            milestone=occurrence.text(D.MILESTONE_TITLE) or occurrence.text(D.MILESTONE_ID),
            module_titles=occurrence.in_languages(D.MODULE_TITLE),
            milestone_titles=occurrence.in_languages(D.MILESTONE_TITLE),
            previous_confidence=occurrence.whole(D.PREVIOUS_CONFIDENCE, 1, 5),
            confidence=occurrence.whole(D.CONFIDENCE, 1, 5),
            path=occurrence.text(D.PATH_TITLE),
            reason=occurrence.text(D.REASON),
            session_date=_day(occurrence, D.SESSION_DATE),
            outcome=_choice(occurrence, D.OUTCOME, OUTCOMES),
            chosen={
                key: value
                for key, allowed in CHOICES.items()
                if (value := _choice(occurrence, key, allowed) or UNSAID.get(key)) is not None
            },
        )

    def variant(self, occurrence: Occurrence, rule: Rule) -> str:
        if rule.text_variant is None:
            return ""
        chosen = self.chosen.get(rule.text_variant)
        return chosen if chosen is not None else str(occurrence.details[rule.text_variant])

    def values(self, recipient: Recipient) -> dict[str, str]:
        """The template values, in the recipient's language and on the recipient's clock."""
        language = recipient.language
        unknown = texts.UNKNOWN_NAMES[language]
        deadline = self.deadline
        session_date = self.session_date
        found: dict[str, str | None] = {
            "mentee": texts.one_line(self.mentee) if self.mentee else unknown[MENTEE],
            "mentor": texts.one_line(self.mentor or unknown[MENTOR]) if self.has_mentor else None,
            "deadline": (
                texts.format_moment(deadline, language, recipient.timezone) if deadline else None
            ),
            "duration": texts.format_days(self.days, language) if self.days else None,
            "module": _line(self.module_titles.get(language) or self.module),
            "milestone": _line(self.milestone_titles.get(language) or self.milestone),
            "previous": _text(self.previous_confidence),
            "confidence": _text(self.confidence),
            "path": _line(self.path),
            "reason": texts.one_line(self.reason, texts.REASON_MAX) if self.reason else None,
            "session_date": texts.format_date(session_date, language) if session_date else None,
        }
        return {name: value for name, value in found.items() if value}


def _line(text: str | None) -> str | None:
    return texts.one_line(text) if text else None


def _text(number: int | None) -> str | None:
    return None if number is None else str(number)


def _name(given: str | None, person_id: str | None, directory: DirectoryLookup) -> str | None:
    if given and given.strip():
        return given
    person = directory.person(person_id) if person_id else None
    return person.display_name if person and person.display_name.strip() else None


def _moment(occurrence: Occurrence, key: Detail) -> datetime | None:
    text = occurrence.text(key)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"details.{key}", "must be an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise Invalid(f"details.{key}", "must carry its UTC offset")
    return moment


def _day(occurrence: Occurrence, key: Detail) -> date | None:
    text = occurrence.text(key)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"details.{key}", "must be an ISO 8601 date") from None


def _choice(occurrence: Occurrence, key: Detail, allowed: tuple[str, ...]) -> str | None:
    text = occurrence.text(key)
    if text is not None and text not in allowed:
        raise Invalid(f"details.{key}", f"must be one of {list(allowed)}")
    return text
