"""What people read, in their language, through the gateway on the real services: the messages
of mutation error results, the per-criterion and blocking-pair reasons, and anonymous callers'
errors, from their profile when they have one, else from their Accept-Language header."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient

from mentorship_runtime.mongo import Document

from .conftest import ADMIN, CREATE_PROGRAM, REGISTER, Platform, profile
from .test_reviewable_matching import CO_ADMIN, PREVIEW, cohort

LEA = ("u-words-lea", ("mentee",))
TOM = ("u-words-tom", ("mentee",))
MARC = ("u-words-marc", ("mentor",))
Person = tuple[str, tuple[str, ...]]

MUTATION_ERROR = """
  __typename
  ... on MutationError { message }
  ... on NotFound { kind id }
  ... on Conflict { currentState existingId }
  ... on ValidationError { problems { path message } }
"""
ACCEPT_MISSING = f"""
mutation {{ acceptMatch(matchId: "no-such-match") {{ {MUTATION_ERROR} }} }}"""
REGISTER_AGAIN = f"""
mutation($input: RegisterInput!) {{ registerMentee(input: $input) {{ {MUTATION_ERROR} }} }}"""
UPDATE_NOTHING = f"""
mutation($id: ID!) {{ updateProfile(participantId: $id, input: {{}}) {{ {MUTATION_ERROR} }} }}"""
UPDATE_PROGRAM = f"""
mutation($program: ID!) {{
  updateProgram(programId: $program, input: {{name: "Mine"}}) {{ {MUTATION_ERROR} }}
}}"""
LOG_FUTURE = f"""
mutation($mentee: ID!) {{
  logSession(menteeId: $mentee, input: {{heldOn: "2999-01-01", durationMinutes: 30}}) {{
    {MUTATION_ERROR}
  }}
}}"""
PROPOSE = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) { __typename ... on Match { id } }
}"""
ACCEPT = """
mutation($id: ID!) { acceptMatch(matchId: $id) { __typename ... on Match { status } } }"""
SUGGESTIONS = """
query($mentee: ID!) {
  matchSuggestions(menteeId: $mentee) { reasons breakdown { criterion reason } }
}"""
MISSING_PATH = '{ learningPath(id: "no-such-path") { title } }'


async def _post(
    platform: Platform,
    query: str,
    *,
    who: Person | None = None,
    language: str | None = None,
    **variables: Any,
) -> dict[str, Any]:
    """``query`` as ``who`` (anonymous when None) with that Accept-Language header, if any."""
    headers: dict[str, str] = {}
    if who is not None:
        headers["Authorization"] = f"Bearer {platform.token(who[0], *who[1])}"
    if language is not None:
        headers["Accept-Language"] = language
    response = await platform.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _data(platform: Platform, query: str, **kwargs: Any) -> Any:
    body = await _post(platform, query, **kwargs)
    assert "errors" not in body, body
    return body["data"]


async def _program(platform: Platform) -> str:
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Words"))["createProgram"]
    assert created["__typename"] == "Program", created
    return str(created["id"])


async def _register(platform: Platform, who: Person, program: str, language: str) -> str:
    mentor = "mentor" in who[1]
    skills = [{"key": "purpose", "level": 3}]
    extra = {"competencies": skills, "capacity": 2} if mentor else {"goals": skills}
    done = await platform.ok(
        *who, REGISTER, mentor=mentor, input=profile(program, who[0], language=language, **extra)
    )
    registered = done["mentor" if mentor else "mentee"]
    assert registered["__typename"] == "Participant", registered
    return str(registered["id"])


async def _people(platform: Platform) -> dict[str, str]:
    """A program with Léa (French), Tom (English), both mentees, and Marc (English), a mentor
    matched with Léa."""
    program = await _program(platform)
    ids = {"program": program}
    for who, language in ((LEA, "FR"), (TOM, "EN"), (MARC, "EN")):
        ids[who[0]] = await _register(platform, who, program, language)
    proposed = await platform.ok(*ADMIN, PROPOSE, mentee=ids[LEA[0]], mentor=ids[MARC[0]])
    ids["match"] = proposed["proposeMatch"]["id"]
    accepted = await platform.ok(*MARC, ACCEPT, id=ids["match"])
    assert accepted["acceptMatch"]["status"] == "ACTIVE", accepted
    return ids


async def test_mutation_errors_read_in_the_callers_profile_language_with_codes_kept(
    platform: Platform,
) -> None:
    ids = await _people(platform)
    program = ids["program"]

    # NotFound, from mentoring
    french = (await _data(platform, ACCEPT_MISSING, who=LEA))["acceptMatch"]
    english = (await _data(platform, ACCEPT_MISSING, who=TOM))["acceptMatch"]
    assert english == {
        "__typename": "NotFound",
        "message": "match 'no-such-match' not found",
        "kind": "MATCH",
        "id": "no-such-match",
    }
    assert french == {**english, "message": "binôme 'no-such-match' introuvable"}

    # Conflict, from mentoring: registered already (the participant named)
    again = {"input": profile(program, "again", goals=[{"key": "purpose", "level": 2}])}
    french = (await _data(platform, REGISTER_AGAIN, who=LEA, **again))["registerMentee"]
    english = (await _data(platform, REGISTER_AGAIN, who=TOM, **again))["registerMentee"]
    assert french["__typename"] == english["__typename"] == "Conflict"
    assert french["existingId"] == ids[LEA[0]]
    assert english["existingId"] == ids[TOM[0]]
    assert french["message"] == (
        f"l'utilisateur '{LEA[0]}' est déjà inscrit au programme '{program}' comme participant "
        f"'{ids[LEA[0]]}'"
    )
    assert english["message"] == (
        f"user '{TOM[0]}' is already registered in program '{program}' as participant "
        f"'{ids[TOM[0]]}'"
    )

    # Forbidden, from mentoring
    french = (await _data(platform, UPDATE_PROGRAM, who=LEA, program=program))["updateProgram"]
    english = (await _data(platform, UPDATE_PROGRAM, who=TOM, program=program))["updateProgram"]
    assert english == {
        "__typename": "Forbidden",
        "message": f"only an admin of program '{program}' can do this",
    }
    assert french == {
        "__typename": "Forbidden",
        "message": f"seul un admin du programme '{program}' peut faire cela",
    }

    # ValidationError the gateway finds itself: the summary and each problem, paths kept
    french = (await _data(platform, UPDATE_NOTHING, who=LEA, id=ids[LEA[0]]))["updateProfile"]
    english = (await _data(platform, UPDATE_NOTHING, who=TOM, id=ids[TOM[0]]))["updateProfile"]
    assert english == {
        "__typename": "ValidationError",
        "message": "invalid input: input: give at least one field to change",
        "problems": [{"path": ["input"], "message": "give at least one field to change"}],
    }
    assert french == {
        "__typename": "ValidationError",
        "message": "saisie invalide: input: donnez au moins un champ à modifier",
        "problems": [{"path": ["input"], "message": "donnez au moins un champ à modifier"}],
    }


async def test_a_progress_rule_reads_in_french_for_the_mentee_and_english_for_the_mentor(
    platform: Platform,
) -> None:
    ids = await _people(platform)
    french = (await _data(platform, LOG_FUTURE, who=LEA, mentee=ids[LEA[0]]))["logSession"]
    english = (await _data(platform, LOG_FUTURE, who=MARC, mentee=ids[LEA[0]]))["logSession"]
    assert french["__typename"] == english["__typename"] == "ValidationError"
    [said_fr], [said_en] = french["problems"], english["problems"]
    assert said_fr["path"] == said_en["path"] == ["input", "heldOn"]
    assert said_en["message"].startswith("2999-01-01 is in the future (today is ")
    assert said_fr["message"].startswith("2999-01-01 est dans le futur (aujourd'hui est au plus")
    assert french["message"] == f"saisie invalide: input.heldOn: {said_fr['message']}"
    assert english["message"] == f"invalid input: input.heldOn: {said_en['message']}"


TOP_LEVEL = '{ notifications(first: 0) { unread } node(id: "nonode") { id } }'


async def test_top_level_field_errors_read_in_the_callers_profile_language_with_codes_kept(
    platform: Platform,
) -> None:
    program = await _program(platform)
    await _register(platform, LEA, program, "FR")
    await _register(platform, TOM, program, "EN")
    french = await _post(platform, TOP_LEVEL, who=LEA, language="en")
    english = await _post(platform, TOP_LEVEL, who=TOM, language="fr")

    def said(body: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
        return {
            e["path"][0]: (e["message"], e["extensions"]["code"], e["extensions"]["field"])
            for e in body["errors"]
        }

    assert said(english) == {
        "notifications": ("first must be between 1 and 100", "BAD_USER_INPUT", "first"),
        "node": ("'nonode' is not a node id", "BAD_USER_INPUT", "id"),
    }
    assert said(french) == {
        "notifications": ("first doit être compris entre 1 et 100", "BAD_USER_INPUT", "first"),
        "node": ("'nonode' n'est pas un identifiant d'objet (nœud)", "BAD_USER_INPUT", "id"),
    }


async def test_a_signed_in_callers_profile_wins_over_their_accept_language(
    platform: Platform,
) -> None:
    ids = await _people(platform)
    french = await _data(platform, ACCEPT_MISSING, who=LEA, language="en-US,en;q=0.9")
    assert french["acceptMatch"]["message"] == "binôme 'no-such-match' introuvable"
    english = await _data(platform, UPDATE_NOTHING, who=TOM, language="fr", id=ids[TOM[0]])
    assert english["updateProfile"]["problems"][0]["message"] == (
        "give at least one field to change"
    )
    # the per-criterion reasons too
    reasons = await _data(platform, SUGGESTIONS, who=LEA, language="en", mentee=ids[LEA[0]])
    [suggestion] = reasons["matchSuggestions"]
    goals = next(b for b in suggestion["breakdown"] if b["criterion"] == "GOAL_COVERAGE")
    assert goals["reason"] == "couvre 1 objectif sur 1"
    assert "couvre 1 objectif sur 1" in suggestion["reasons"]


@pytest.mark.parametrize("who", [ADMIN, CO_ADMIN])
async def test_admins_without_a_profile_read_the_preview_in_their_accept_language(
    platform: Platform, mongo_client: AsyncMongoClient[Document], who: Person
) -> None:
    c = await cohort(platform, mongo_client)
    variables = {"program": c.program, "objective": "MOST_MATCHED"}
    french = await _data(platform, PREVIEW, who=who, language="fr-CA", **variables)
    english = await _data(platform, PREVIEW, who=who, language="de, en;q=0.5", **variables)
    preview_fr, preview_en = french["previewMatching"], english["previewMatching"]
    assert preview_fr["__typename"] == preview_en["__typename"] == "MatchingRun"

    criteria_fr = {b["reason"] for pair in preview_fr["pairs"]["nodes"] for b in pair["breakdown"]}
    criteria_en = {b["reason"] for pair in preview_en["pairs"]["nodes"] for b in pair["breakdown"]}
    assert {"8 h working-day overlap", "no ranked choices"} <= criteria_en
    assert {"8 h de journée de travail en commun", "aucun choix classé"} <= criteria_fr
    assert len(criteria_fr) == len(criteria_en)
    assert not criteria_fr & criteria_en

    blocking_fr = preview_fr["blockingPairList"]["nodes"]
    blocking_en = preview_en["blockingPairList"]["nodes"]
    assert len(blocking_fr) == len(blocking_en) >= 1
    assert all(b["reason"].startswith("the mentee scores") for b in blocking_en)
    assert all(b["reason"].startswith("le mentoré obtient") for b in blocking_fr)
    assert [(b["menteeId"], b["score"]) for b in blocking_fr] == [
        (b["menteeId"], b["score"]) for b in blocking_en
    ]


async def test_anonymous_callers_read_errors_in_their_accept_language(platform: Platform) -> None:
    french = await _post(platform, MISSING_PATH, language="fr-CA, en;q=0.5")
    [error] = french["errors"]
    assert error["message"] == "un jeton d'accès (bearer) est requis"
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    for header in ("en", None, "de", "fr;q=0", "*;q=0.5, fr;q=0"):
        english = await _post(platform, MISSING_PATH, language=header)
        [error] = english["errors"]
        assert error["message"] == "a bearer token is required", header
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # with a token the service refuses: still no profile, the header's language
    refused = await platform.http.post(
        "/graphql",
        json={"query": MISSING_PATH},
        headers={"Authorization": "Bearer not-a-token", "Accept-Language": "fr"},
    )
    assert refused.status_code == 200
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "header",
    [
        "fr;q=2",
        "fr;q=" + "9" * 5000,
        "fr," * 2000,
        "fr-" + "x" * 100,
        ";;;,,,===",
        "fr\tq=1",
        "fr\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
        "\xe9\xe8",
    ],
)
async def test_a_hostile_accept_language_is_ignored_never_a_500(
    platform: Platform, header: str
) -> None:
    response = await platform.http.post(
        "/graphql",
        json={"query": MISSING_PATH},
        headers={b"Accept-Language": header.encode("latin-1")},
    )
    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    assert error["message"] == "a bearer token is required"
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_header_http_forbids_is_refused_by_the_server_before_the_gateway(
    platform: Platform,
) -> None:
    response = await platform.http.post(
        "/graphql", json={"query": MISSING_PATH}, headers={b"Accept-Language": b"\x7ffr"}
    )
    assert response.status_code == 400


UPDATE_GOALS = f"""
mutation($id: ID!, $key: String!) {{
  updateProfile(participantId: $id, input: {{goals: [{{key: $key, level: 3}}]}}) {{
    {MUTATION_ERROR}
  }}
}}"""


@pytest.mark.parametrize(
    "key",
    [
        "a'b\"c\\d",
        "X" * 10_000,
        "é\u202e'\"",
        "%(id)r %(n)s",
        "' not found",
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    ],
)
async def test_hostile_values_in_messages_read_in_french_never_a_500(
    platform: Platform, key: str
) -> None:
    ids = await _people(platform)
    body = await _post(platform, UPDATE_GOALS, who=LEA, id=ids[LEA[0]], key=key)
    result = body["data"]["updateProfile"]
    assert result["__typename"] == "ValidationError", body
    [problem] = result["problems"]
    assert problem["path"][:2] == ["input", "goals"]
    assert "n'est pas une clé de compétence" in problem["message"], problem
    assert len(problem["message"]) < 400
