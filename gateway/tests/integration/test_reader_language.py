"""The default learning path through the gateway in the reader's language: the one asked for,
else the language of the person's profile, else the path's own (English)."""

from __future__ import annotations

from .conftest import ADMIN, CREATE_PROGRAM, REGISTER, Platform, profile

PATH = """
query($language: Language) {
  learningPath(id: "social-business-accompaniment", language: $language) {
    title modules { id title description milestones { id title evidenceExpected } }
  }
}"""
PATHS = """
query($language: Language) { learningPaths(language: $language) { id title } }"""

FRENCH_TITLE = "Accompagnement au réseau social d'entreprise"
ENGLISH_TITLE = "Social business accompaniment"
AMELIE = ("u-reader-amelie", ("mentee",))
JOHN = ("u-reader-john", ("mentee",))
MARC = ("u-reader-marc", ("mentor",))
OTHER_ADMIN = ("u-reader-other-admin", ("admin",))


async def _program(platform: Platform) -> str:
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Reading"))["createProgram"]
    assert created["__typename"] == "Program", created
    program: str = created["id"]
    return program


async def _register(platform: Platform, who: tuple[str, tuple[str, ...]], language: str) -> None:
    """``who`` in a program of their own, with their profile in ``language``."""
    program = await _program(platform)
    mentor = "mentor" in who[1]
    skills = [{"key": "purpose", "level": 3}]
    extra = {"competencies": skills, "capacity": 2} if mentor else {"goals": skills}
    done = await platform.ok(
        *who,
        REGISTER,
        mentor=mentor,
        input=profile(program, who[0], language=language, **extra),
    )
    assert done["mentor" if mentor else "mentee"]["__typename"] == "Participant", done


def _titles(path: dict[str, object]) -> dict[str, str]:
    return {m["id"]: m["title"] for m in path["modules"]}  # type: ignore[attr-defined]


async def test_a_french_speaking_mentee_reads_the_path_in_french(platform: Platform) -> None:
    await _register(platform, AMELIE, language="FR")
    path = (await platform.ok(*AMELIE, PATH))["learningPath"]
    assert path["title"] == FRENCH_TITLE
    assert _titles(path)["purpose"] == "Sens et stratégie"
    first = path["modules"][0]
    assert first["description"] == "Pourquoi l'entreprise fait cela, et ce que l'on attend de moi."
    assert first["milestones"][0]["title"] == "Expliquer pourquoi l'entreprise s'y engage"
    assert first["milestones"][0]["evidenceExpected"].startswith("Une courte synthèse")
    listed = (await platform.ok(*AMELIE, PATHS))["learningPaths"]
    assert {"id": "social-business-accompaniment", "title": FRENCH_TITLE} in listed
    # asked for, English wins over the profile
    asked = (await platform.ok(*AMELIE, PATH, language="EN"))["learningPath"]
    assert asked["title"] == ENGLISH_TITLE
    assert _titles(asked)["purpose"] == "Purpose and strategy"


async def test_an_english_speaking_mentee_reads_the_path_in_english(platform: Platform) -> None:
    await _register(platform, JOHN, language="EN")
    path = (await platform.ok(*JOHN, PATH))["learningPath"]
    assert path["title"] == ENGLISH_TITLE
    assert _titles(path)["community-rules"] == "Community rules and governance"
    assert path["modules"][0]["milestones"][0]["evidenceExpected"].startswith("A short summary")
    listed = (await platform.ok(*JOHN, PATHS))["learningPaths"]
    assert {"id": "social-business-accompaniment", "title": ENGLISH_TITLE} in listed
    asked = (await platform.ok(*JOHN, PATH, language="FR"))["learningPath"]
    assert asked["title"] == FRENCH_TITLE


async def test_everyone_signed_in_reads_the_path_and_anonymous_callers_do_not(
    platform: Platform,
) -> None:
    await _register(platform, MARC, language="FR")
    assert (await platform.ok(*MARC, PATH))["learningPath"]["title"] == FRENCH_TITLE
    # admins with no participation of their own read the path in its own language, or the one
    # they ask for
    for admin in (ADMIN, OTHER_ADMIN):
        assert (await platform.ok(*admin, PATH))["learningPath"]["title"] == ENGLISH_TITLE
        french = await platform.ok(*admin, PATH, language="FR")
        assert french["learningPath"]["title"] == FRENCH_TITLE
    anonymous = await platform.http.post("/graphql", json={"query": PATH})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = await platform.gql(*JOHN, PATH, language="DE")
    assert unknown["errors"][0]["message"]
    assert unknown.get("data") is None


PROPOSE_PAIR = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) {
    __typename ... on Match { id reasons } ... on MutationError { message }
  }
}"""
MATCH_REASONS = """
query($id: ID!) { match(id: $id) { reasons } }"""
CLAIRE = ("u-reasons-claire", ("mentee",))
KATE = ("u-reasons-kate", ("mentee",))
SAM = ("u-reasons-sam", ("mentor",))


async def test_each_side_reads_the_matching_reasons_in_their_profiles_language(
    platform: Platform,
) -> None:
    program = await _program(platform)
    skills = [{"key": "purpose", "level": 4}]
    ids: dict[str, str] = {}
    for who, language in ((SAM, "EN"), (CLAIRE, "FR"), (KATE, "EN")):
        mentor = who is SAM
        extra = {"competencies": skills, "capacity": 3} if mentor else {"goals": skills}
        done = await platform.ok(
            *who,
            REGISTER,
            mentor=mentor,
            input=profile(program, who[0], language=language, **extra),
        )
        ids[who[0]] = done["mentor" if mentor else "mentee"]["id"]
    matches = {}
    for mentee in (CLAIRE, KATE):
        proposed = await platform.ok(
            *ADMIN, PROPOSE_PAIR, mentee=ids[mentee[0]], mentor=ids[SAM[0]]
        )
        assert proposed["proposeMatch"]["__typename"] == "Match", proposed
        # the admin has no profile: the reasons as mentoring wrote them
        assert "covers 1 of 1 goal" in proposed["proposeMatch"]["reasons"]
        matches[mentee[0]] = proposed["proposeMatch"]["id"]

    claire = (await platform.ok(*CLAIRE, MATCH_REASONS, id=matches[CLAIRE[0]]))["match"]
    assert "couvre 1 objectif sur 1" in claire["reasons"]
    assert not any(reason.startswith("covers") for reason in claire["reasons"])
    kate = (await platform.ok(*KATE, MATCH_REASONS, id=matches[KATE[0]]))["match"]
    assert "covers 1 of 1 goal" in kate["reasons"]
    # the mentor of Claire's match reads it in his own language, English
    sam = (await platform.ok(*SAM, MATCH_REASONS, id=matches[CLAIRE[0]]))["match"]
    assert "covers 1 of 1 goal" in sam["reasons"]
    assert len(sam["reasons"]) == len(claire["reasons"])


MISSING_PATH = """
{ learningPath(id: "no-such-path") { title } }"""


async def test_a_french_speaking_mentee_reads_an_error_in_french(platform: Platform) -> None:
    await _register(platform, ("u-errors-lea", ("mentee",)), language="FR")
    await _register(platform, ("u-errors-tom", ("mentee",)), language="EN")
    french = await platform.gql("u-errors-lea", ("mentee",), MISSING_PATH)
    (error,) = french["errors"]
    assert error["message"] == "le parcours 'no-such-path' n'existe pas ou ne vous est pas visible"
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == ["learningPath"]
    english = await platform.gql("u-errors-tom", ("mentee",), MISSING_PATH)
    (error,) = english["errors"]
    assert (
        error["message"] == "learning path 'no-such-path' does not exist or is not visible to you"
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    # anonymous callers have no profile: English
    anonymous = await platform.http.post("/graphql", json={"query": MISSING_PATH})
    assert anonymous.json()["errors"][0]["message"] == "a bearer token is required"
