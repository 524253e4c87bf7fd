"""Mapping between domain objects and their MongoDB documents."""

from __future__ import annotations

from typing import Any

from mentoring.domain.matches import Match, MatchStatus, ProposedBy, Side
from mentoring.domain.participants import Participant, ParticipantStatus, WeeklySlot
from mentoring.domain.programs import (
    DEFAULT_CHECK_IN_REMINDER_DAYS,
    DEFAULT_STALL_WINDOW_DAYS,
    Admin,
    MatchingSettings,
    Program,
    ProgramStatus,
)

Document = dict[str, Any]


def program_document(program: Program) -> Document:
    return {
        "_id": program.id,
        "name": program.name,
        "description": program.description,
        "learning_path_id": program.learning_path_id,
        "admin_ids": list(program.admin_ids),
        "admins": [
            {
                "user_id": a.user_id,
                "display_name": a.display_name,
                "email": a.email,
                "language": a.language,
            }
            for a in program.admins
        ],
        "settings": {
            "weights": dict(program.settings.weights),
            "department_preference": program.settings.department_preference,
            "proposal_expiry_days": program.settings.proposal_expiry_days,
            "default_mentor_capacity": program.settings.default_mentor_capacity,
            "mutual_acceptance": program.settings.mutual_acceptance,
        },
        "status": program.status.value,
        "created_at": program.created_at,
        "version": program.version,
        "stall_window_days": program.stall_window_days,
        "check_in_reminder_days": program.check_in_reminder_days,
        "self_erasure": program.self_erasure,
    }


def program_from(document: Document) -> Program:
    settings = document["settings"]
    return Program(
        id=document["_id"],
        name=document["name"],
        description=document["description"],
        learning_path_id=document["learning_path_id"],
        admins=tuple(Admin(**admin) for admin in document["admins"]),
        settings=MatchingSettings(
            weights=dict(settings["weights"]),
            department_preference=settings["department_preference"],
            proposal_expiry_days=settings["proposal_expiry_days"],
            default_mentor_capacity=settings["default_mentor_capacity"],
            mutual_acceptance=settings.get("mutual_acceptance", False),
        ),
        status=ProgramStatus(document["status"]),
        created_at=document["created_at"],
        version=document["version"],
        stall_window_days=document.get("stall_window_days", DEFAULT_STALL_WINDOW_DAYS),
        check_in_reminder_days=document.get(
            "check_in_reminder_days", DEFAULT_CHECK_IN_REMINDER_DAYS
        ),
        self_erasure=document.get("self_erasure", False),
    )


def participant_document(participant: Participant) -> Document:
    return {
        "_id": participant.id,
        "program_id": participant.program_id,
        "user_id": participant.user_id,
        "roles": sorted(participant.roles),
        "display_name": participant.display_name,
        "email": participant.email,
        "language": participant.language,
        "languages": sorted(participant.languages),
        "timezone": participant.timezone,
        "department": participant.department,
        "manager_id": participant.manager_id,
        "availability": [
            {"day": s.day, "start_hour": s.start_hour, "end_hour": s.end_hour}
            for s in participant.availability
        ],
        "competencies": dict(participant.competencies),
        "goals": dict(participant.goals),
        "capacity": participant.capacity,
        "ranked_mentors": list(participant.ranked_mentors),
        "status": participant.status.value,
        "registered_at": participant.registered_at,
        "open_matches": list(participant.open_matches),
        "version": participant.version,
        "external_id": participant.external_id,
        **(
            {"external_key": external_key(participant.program_id, participant.external_id)}
            if participant.external_id is not None
            else {}
        ),
    }


def external_key(program_id: str, external_id: str) -> str:
    """One field naming a program and an external id, present only on participants that have
    one: a unique sparse index on it holds an external id to one participant per program (a
    compound sparse index would index the others too, on MongoDB, and refuse them as repeats)."""
    return f"{program_id}/{external_id}"


def participant_from(document: Document) -> Participant:
    return Participant(
        id=document["_id"],
        program_id=document["program_id"],
        user_id=document["user_id"],
        roles=frozenset(document["roles"]),
        display_name=document["display_name"],
        email=document["email"],
        language=document["language"],
        languages=frozenset(document["languages"]),
        timezone=document["timezone"],
        department=document.get("department"),
        manager_id=document.get("manager_id"),
        availability=tuple(WeeklySlot(**slot) for slot in document["availability"]),
        competencies=dict(document["competencies"]),
        goals=dict(document["goals"]),
        capacity=document["capacity"],
        ranked_mentors=tuple(document["ranked_mentors"]),
        status=ParticipantStatus(document["status"]),
        registered_at=document["registered_at"],
        open_matches=tuple(document.get("open_matches", ())),
        version=document["version"],
        external_id=document.get("external_id"),
    )


def _side(side: Side) -> Document:
    return {"participant_id": side.participant_id, "user_id": side.user_id, "name": side.name}


def match_document(match: Match) -> Document:
    return {
        "_id": match.id,
        "program_id": match.program_id,
        "learning_path_id": match.learning_path_id,
        "mentee": _side(match.mentee),
        "mentor": _side(match.mentor),
        "mentee_id": match.mentee.participant_id,
        "mentor_id": match.mentor.participant_id,
        "status": match.status.value,
        "proposed_by": match.proposed_by.value,
        "score": match.score,
        "reasons": list(match.reasons),
        "proposed_at": match.proposed_at,
        "expires_at": match.expires_at,
        "decided_at": match.decided_at,
        "ended_at": match.ended_at,
        "reason": match.reason,
        "version": match.version,
        "mentee_must_accept": match.mentee_must_accept,
        "mentor_accepted_at": match.mentor_accepted_at,
        "mentee_accepted_at": match.mentee_accepted_at,
        "declined_by": match.declined_by,
        "withdrawn": match.withdrawn,
    }


def match_from(document: Document) -> Match:
    return Match(
        id=document["_id"],
        program_id=document["program_id"],
        learning_path_id=document["learning_path_id"],
        mentee=Side(**document["mentee"]),
        mentor=Side(**document["mentor"]),
        status=MatchStatus(document["status"]),
        proposed_by=ProposedBy(document["proposed_by"]),
        score=document.get("score"),
        reasons=tuple(document.get("reasons", ())),
        proposed_at=document["proposed_at"],
        expires_at=document["expires_at"],
        decided_at=document.get("decided_at"),
        ended_at=document.get("ended_at"),
        reason=document.get("reason"),
        version=document["version"],
        mentee_must_accept=document.get("mentee_must_accept", False),
        mentor_accepted_at=document.get("mentor_accepted_at"),
        mentee_accepted_at=document.get("mentee_accepted_at"),
        declined_by=document.get("declined_by"),
        withdrawn=document.get("withdrawn", False),
    )
