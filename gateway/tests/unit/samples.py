"""Service answers shaped as the services' response schemas."""

from __future__ import annotations

from typing import Any

NOW = "2026-11-28T10:00:00Z"


def participant(pid: str, role: str = "mentee", **fields: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "program_id": "pg-1",
        "user_id": f"u-{pid}",
        "roles": [role],
        "display_name": pid.title(),
        "email": f"{pid}@example.org",
        "language": "en",
        "languages": ["en"],
        "timezone": "Europe/Paris",
        "department": None,
        "manager_id": None,
        "availability": [{"day": 1, "start_hour": 9, "end_hour": 12}],
        "competencies": {},
        "goals": {"purpose": 3},
        "capacity": 1,
        "open_matches": 0,
        "ranked_mentors": [],
        "status": "active",
        "registered_at": NOW,
        **fields,
    }


def progress(mentee_id: str, status: str = "on_track", trend: str = "steady") -> dict[str, Any]:
    return {
        "mentee_id": mentee_id,
        "program_id": "pg-1",
        "mentor_id": "pt-grace",
        "path_id": "social-business-accompaniment",
        "path_version": 1,
        "state": "active",
        "status": status,
        "percent": 10,
        "milestones_done": 1,
        "milestones_total": 10,
        "last_activity_at": NOW,
        "sessions_count": 0,
        "modules": [
            {
                "module_id": "purpose",
                "title": "Purpose and strategy",
                "milestones_done": 1,
                "milestones_total": 2,
                "percent": 50,
                "completed": False,
                "self_assessment": 2,
                "mentor_assessment": None,
                "latest_confidence": 2,
                "trend": trend,
                "confidence_dropped": trend == "falling",
            }
        ],
    }


def program(pid: str = "pg-1") -> dict[str, Any]:
    return {
        "id": pid,
        "name": "Social business",
        "description": "",
        "learning_path_id": "social-business-accompaniment",
        "admin_ids": ["u-admin"],
        "weights": {"goal_coverage": 40.0},
        "department_preference": "none",
        "proposal_expiry_days": 7,
        "default_mentor_capacity": 3,
        "stall_window_days": 14,
        "status": "open",
        "created_at": NOW,
    }


def match(mid: str, status: str = "proposed") -> dict[str, Any]:
    return {
        "id": mid,
        "program_id": "pg-1",
        "learning_path_id": "social-business-accompaniment",
        "mentee": {"participant_id": "pt-ada", "user_id": "u-ada", "name": "Ada"},
        "mentor": {"participant_id": "pt-grace", "user_id": "u-grace", "name": "Grace"},
        "status": status,
        "proposed_by": "admin",
        "score": 71.5,
        "reasons": ["covers every goal"],
        "proposed_at": NOW,
        "expires_at": NOW,
        "decided_at": None,
        "ended_at": None,
        "reason": None,
    }
