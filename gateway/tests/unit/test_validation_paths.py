"""A refused input names its place in the schema's spelling: an argument (``["confidence"]``) or a
field under ``input`` in camelCase (``["input", "heldOn"]``), a list index or a map's key as one
element (``["input", "channels", "PROGRESS_CONFIDENCE_DROPPED"]``), whatever the service said."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Gateway

ANSWER = "__typename ... on ValidationError { message problems { path message } }"

PREFERENCES = f"""mutation($input: NotificationPreferencesInput!) {{
  updateNotificationPreferences(input: $input) {{ {ANSWER} }} }}"""
LOG_SESSION = f"""mutation {{
  logSession(menteeId: "pt-ada", input: {{heldOn: "2030-01-05", durationMinutes: 45}}) {{
    {ANSWER} }} }}"""
CHECK_IN = f"""mutation {{
  recordCheckIn(menteeId: "pt-ada", moduleId: "purpose", confidence: 3) {{ {ANSWER} }} }}"""
REGISTER = (
    f"""mutation($input: RegisterInput!) {{ registerMentee(input: $input) {{ {ANSWER} }} }}"""
)
UPDATE_PROFILE = f"""mutation {{
  updateProfile(participantId: "pt-ada", input: {{capacity: 2}}) {{ {ANSWER} }} }}"""
CREATE_PROGRAM = f"""mutation {{ createProgram(input: {{name: "Pilot"}}) {{ {ANSWER} }} }}"""
MARK_READ = f"""mutation {{ markNotificationsRead(ids: ["n-1"]) {{ {ANSWER} }} }}"""
PROPOSE = (
    f"""mutation {{ proposeMatch(menteeId: "pt-ada", mentorId: "pt-grace") {{ {ANSWER} }} }}"""
)

REGISTRATION = {"programId": "pg-1", "displayName": "Ada", "email": "ada@example.org"}
KIND = "progress.confidence_dropped"


def refusal(*problems: tuple[list[Any], str]) -> httpx.Response:
    return httpx.Response(
        422,
        json={
            "detail": [
                {"loc": loc, "msg": message, "type": "value_error"} for loc, message in problems
            ]
        },
    )


CASES = [
    pytest.param(
        PREFERENCES,
        {"input": {"channels": [{"kind": "PROGRESS_CONFIDENCE_DROPPED", "channels": ["EMAIL"]}]}},
        ("notify", "PUT", "/preferences"),
        # the service's rule names the field channels.<kind>, split at every dot
        (["body", "channels", "progress", "confidence_dropped"],
         f"channels.{KIND}: channels are among ['in_app', 'email', 'webhook']"),
        ["input", "channels", "PROGRESS_CONFIDENCE_DROPPED"],
        "channels are among ['in_app', 'email', 'webhook']",
        id="a-notification-kind-split-at-its-dots-is-one-element",
    ),
    pytest.param(
        PREFERENCES,
        {"input": {"channels": [{"kind": "PROGRESS_CONFIDENCE_DROPPED", "channels": ["EMAIL"]}]}},
        ("notify", "PUT", "/preferences"),
        (["body", "channels", KIND, 0], "String should have at most 64 characters"),
        ["input", "channels", "PROGRESS_CONFIDENCE_DROPPED", "0"],
        "String should have at most 64 characters",
        id="a-notification-kind-kept-whole-by-the-service",
    ),
    pytest.param(
        PREFERENCES,
        {"input": {"digestHour": 8}},
        ("notify", "PUT", "/preferences"),
        (["body", "digest_hour"], "digest_hour: must be between 0 and 23"),
        ["input", "digestHour"],
        "must be between 0 and 23",
        id="a-field-of-the-input-in-camel-case",
    ),
    pytest.param(
        LOG_SESSION,
        None,
        ("progress", "POST", "/mentees/pt-ada/sessions"),
        (["body", "held_on"], "held_on: 2030-01-05 is in the future"),
        ["input", "heldOn"],
        "2030-01-05 is in the future",
        id="a-session-date",
    ),
    pytest.param(
        LOG_SESSION,
        None,
        ("progress", "POST", "/mentees/pt-ada/sessions"),
        (["path", "mentee_id"], "String should have at most 64 characters"),
        ["menteeId"],
        "String should have at most 64 characters",
        id="an-argument-beside-the-input",
    ),
    pytest.param(
        CHECK_IN,
        None,
        ("progress", "POST", "/mentees/pt-ada/check-ins"),
        (["body", "module_id"], "module_id: no module 'purpose' on this path"),
        ["moduleId"],
        "no module 'purpose' on this path",
        id="an-argument-of-a-mutation-without-input",
    ),
    pytest.param(
        REGISTER,
        {"input": {**REGISTRATION, "goals": [{"key": "public_speaking", "level": 3}]}},
        ("mentoring", "POST", "/programs/pg-1/participants"),
        (["body", "goals", "public_speaking"], "Input should be less than or equal to 5"),
        ["input", "goals", "public_speaking"],
        "Input should be less than or equal to 5",
        id="a-skill-key-is-kept-as-it-is",
    ),
    pytest.param(
        REGISTER,
        {"input": {**REGISTRATION, "availability": [{"day": 1, "startHour": 9, "endHour": 8}]}},
        ("mentoring", "POST", "/programs/pg-1/participants"),
        (["body", "availability", 0], "Value error, end_hour must be after start_hour"),
        ["input", "availability", "0"],
        "Value error, end_hour must be after start_hour",
        id="a-list-index",
    ),
    pytest.param(
        REGISTER,
        {"input": REGISTRATION},
        ("mentoring", "POST", "/programs/pg-1/participants"),
        (["path", "program_id"], "String should have at most 64 characters"),
        ["input", "programId"],
        "String should have at most 64 characters",
        id="the-program-of-a-registration-is-in-its-input",
    ),
    pytest.param(
        UPDATE_PROFILE,
        None,
        ("mentoring", "PATCH", "/participants/pt-ada"),
        (["path", "participant_id"], "String should have at most 64 characters"),
        ["participantId"],
        "String should have at most 64 characters",
        id="the-participant-of-a-profile-update-is-an-argument",
    ),
    pytest.param(
        CREATE_PROGRAM,
        None,
        ("mentoring", "POST", "/programs"),
        (["body", "weights", "goal_coverage"], "Input should be less than or equal to 1000"),
        ["input", "weights", "GOAL_COVERAGE"],
        "Input should be less than or equal to 1000",
        id="a-criterion-key-named-as-the-enum-does",
    ),
    pytest.param(
        CREATE_PROGRAM,
        None,
        ("mentoring", "POST", "/programs"),
        (["body", "weights", 1, "criterion"], "a criterion may be weighed once"),
        ["input", "weights", "1", "criterion"],
        "a criterion may be weighed once",
        id="a-criterion-by-its-place-in-the-list",
    ),
    pytest.param(
        CREATE_PROGRAM,
        None,
        ("mentoring", "POST", "/programs"),
        (["body", "stall_window_days"], "stall_window_days: must be a whole number of days"),
        ["input", "stallWindowDays"],
        "must be a whole number of days",
        id="a-domain-rule-of-a-program",
    ),
    pytest.param(
        MARK_READ,
        None,
        ("notify", "POST", "/inbox/read"),
        (["body", "notification_ids"], "List should have at most 200 items"),
        ["ids"],
        "List should have at most 200 items",
        id="an-argument-the-service-names-otherwise",
    ),
    pytest.param(
        PROPOSE,
        None,
        ("mentoring", "POST", "/matches"),
        (["body", "mentor_id"], "mentor_id: 'pt-grace' is not an active mentor"),
        ["mentorId"],
        "'pt-grace' is not an active mentor",
        id="a-match-proposal",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables", "route", "problem", "path", "message"), CASES)
async def test_a_refused_field_is_named_in_the_schemas_spelling(
    gateway: Gateway,
    query: str,
    variables: dict[str, Any] | None,
    route: tuple[str, str, str],
    problem: tuple[list[Any], str],
    path: list[str],
    message: str,
) -> None:
    service, method, url = route
    gateway.services["progress"].route("GET", "/learning-paths/social-business-accompaniment", {})
    gateway.services[service].route(method, url, lambda _: refusal(problem))  # type: ignore[index]

    body = await gateway.query(query, variables, roles=("admin", "mentor"))

    [answer] = body["data"].values()
    assert answer["__typename"] == "ValidationError", body
    assert answer["problems"] == [{"path": path, "message": message}]
    assert answer["message"] == f"invalid input: {'.'.join(path)}: {message}"


async def test_a_skill_given_twice_is_refused_at_its_key_without_a_call(gateway: Gateway) -> None:
    twice = [{"key": "purpose", "level": 3}, {"key": "purpose", "level": 4}]
    body = await gateway.query(REGISTER, {"input": {**REGISTRATION, "goals": twice}})
    assert body["data"]["registerMentee"]["problems"] == [
        {"path": ["input", "goals", "purpose"], "message": "'purpose' is given twice"}
    ]
    assert not gateway.services["mentoring"].changes


async def test_a_notification_kind_given_twice_is_refused_at_its_kind(gateway: Gateway) -> None:
    twice = [{"kind": "MATCH_PROPOSED", "channels": []}, {"kind": "MATCH_PROPOSED", "channels": []}]
    body = await gateway.query(PREFERENCES, {"input": {"channels": twice}})
    assert body["data"]["updateNotificationPreferences"]["problems"] == [
        {"path": ["input", "channels", "MATCH_PROPOSED"], "message": "this kind is given twice"}
    ]
    assert not gateway.services["notify"].requests


async def test_an_empty_profile_update_names_the_whole_input(gateway: Gateway) -> None:
    body = await gateway.query(
        f'mutation {{ updateProfile(participantId: "pt-ada", input: {{}}) {{ {ANSWER} }} }}'
    )
    assert body["data"]["updateProfile"]["problems"] == [
        {"path": ["input"], "message": "give at least one field to change"}
    ]
    assert not gateway.services["mentoring"].changes
