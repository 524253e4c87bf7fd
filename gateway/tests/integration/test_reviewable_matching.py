"""Reviewable matching through the gateway: previews that tell nobody, stored reports, the rule
of a second run, cancelled proposals, and mutual acceptance, on the real services."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from mentorship_contracts.registry import REGISTRY
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, read_topic

from .conftest import (
    ADA,
    ADMIN,
    ALAN,
    CREATE_PROGRAM,
    GRACE,
    REGISTER,
    Platform,
    add_program_admin,
    profile,
)

CO_ADMIN = ("u-co-admin", ("admin",))
OTHER_ADMIN = ("u-other-admin", ("admin",))
BOB = ("u-bob", ("mentee",))
ZOE = ("u-zoe", ("mentee",))
Person = tuple[str, tuple[str, ...]]

RUN_FIELDS = """
  __typename
  ... on MatchingRun {
    id preview matchedCount blockingPairs proposalIds ranAt
    unmatched { menteeId reason }
    pairs(first: 10) {
      nodes { menteeId mentorId score matchId breakdown { criterion points reason } }
    }
    blockingPairList(first: 10) { nodes { menteeId mentorId score reason } }
  }
  ... on MutationError { message }
"""
PREVIEW = f"""
mutation($program: ID!, $objective: MatchingObjective!) {{
  previewMatching(programId: $program, objective: $objective) {{ {RUN_FIELDS} }}
}}"""
RUN = f"""
mutation($program: ID!, $objective: MatchingObjective!) {{
  runMatching(programId: $program, objective: $objective) {{ {RUN_FIELDS} }}
}}"""
READ_RUNS = """
query($program: ID!, $run: ID!) {
  matchingRun(id: $run) { id preview blockingPairList { nodes { menteeId } } }
  matchingRuns(programId: $program) { nodes { id preview } }
  program(id: $program) { lastMatchingRun { id unmatched { menteeId reason } } }
}"""
CANCEL = """
mutation($id: ID!, $reason: String!) {
  cancelProposal(matchId: $id, reason: $reason) {
    __typename
    ... on Match { id status reason }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""
ACCEPT = """
mutation($id: ID!) {
  acceptMatch(matchId: $id) {
    __typename
    ... on Match { id status menteeAcceptedAt mentorAcceptedAt }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""
DECLINE = """
mutation($id: ID!) {
  declineMatch(matchId: $id, reason: "not now") {
    __typename ... on Match { status declinedBy } ... on MutationError { message }
  }
}"""
PROPOSE = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) {
    __typename ... on Match { id status menteeMustAccept } ... on MutationError { message }
  }
}"""
MATCHES = """
query($program: ID!) { matches(programId: $program, first: 50) { nodes { id status mentee {
  participantId } } } }"""
INBOX = "{ notifications(first: 50) { notifications { nodes { kind title subjectId } } } }"


@dataclass
class Cohort:
    program: str
    other_program: str
    ids: dict[str, str]


async def register(platform: Platform, person: Person, program: str, **extra: Any) -> str:
    mentor = "mentor" in person[1]
    name = person[0][2:].title()
    body = await platform.ok(
        *person, REGISTER, mentor=mentor, input=profile(program, name, **extra)
    )
    registered = body["mentor" if mentor else "mentee"]
    assert registered["__typename"] == "Participant", registered
    return str(registered["id"])


async def cohort(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    *,
    mutual: bool = False,
) -> Cohort:
    """Program A: Grace (mentor, 1 place, purpose), Alan (mentor, 1 place, rules), Ada (mentee,
    purpose), Bob (mentee, French only, rules); its admin and a co-admin. Program B: another
    admin's. In A, the most matches (Ada with Alan, Bob with Grace) leave Ada and Grace
    preferring each other: a blocking pair."""
    create = CREATE_PROGRAM
    if mutual:
        create = create.replace("defaultMentorCapacity: 3", "defaultMentorCapacity: 3, "
                                "mutualAcceptance: true")  # fmt: skip
    program = (await platform.ok(*ADMIN, create, name="Cohort A"))["createProgram"]["id"]
    other = (await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="B"))["createProgram"]["id"]
    await add_program_admin(platform, ADMIN, program, CO_ADMIN[0], name="Co")
    ids = {
        "grace": await register(
            platform, GRACE, program, capacity=1, languages=["en", "fr"],
            competencies=[{"key": "purpose", "level": 5}, {"key": "rules", "level": 2}],
        ),
        "alan": await register(
            platform, ALAN, program, capacity=1, competencies=[{"key": "purpose", "level": 2}]
        ),
        "ada": await register(platform, ADA, program, goals=[{"key": "purpose", "level": 5}]),
        "bob": await register(
            platform, BOB, program, languages=["fr"], goals=[{"key": "rules", "level": 5}]
        ),
    }  # fmt: skip
    return Cohort(program, other, ids)


async def match_events(kafka: str, topic_prefix: str, count: int = 0) -> list[Any]:
    """The match events published so far on this test's own topic: read until ``count`` arrived,
    or for 3 s when none is expected."""
    records = await read_topic(
        kafka,
        topic_name(Topic.MENTORING_MATCHES, topic_prefix),
        until=lambda found: count > 0 and len(found) >= count,
        timeout=3 if count == 0 else 30,
    )
    return [REGISTRY.decode(r.value).data for r in records]


async def inbox(platform: Platform, person: Person) -> list[dict[str, Any]]:
    body = await platform.ok(*person, INBOX)
    nodes: list[dict[str, Any]] = body["notifications"]["notifications"]["nodes"]
    return nodes


async def anonymous(platform: Platform, query: str, **variables: Any) -> dict[str, Any]:
    response = await platform.http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ---- preview -----------------------------------------------------------------------------------


async def test_a_preview_reports_like_a_run_and_proposes_to_nobody(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    c = await cohort(platform, mongo_client)

    preview = (await platform.ok(*ADMIN, PREVIEW, program=c.program, objective="MOST_MATCHED"))[
        "previewMatching"
    ]

    assert preview["__typename"] == "MatchingRun", preview
    assert preview["preview"] is True
    assert preview["matchedCount"] == 2
    assert preview["proposalIds"] == []
    pairs = {(p["menteeId"], p["mentorId"]) for p in preview["pairs"]["nodes"]}
    assert pairs == {(c.ids["ada"], c.ids["alan"]), (c.ids["bob"], c.ids["grace"])}
    for pair in preview["pairs"]["nodes"]:
        assert pair["matchId"] is None
        assert abs(sum(b["points"] for b in pair["breakdown"]) - pair["score"]) < 0.1
        assert all(b["reason"] for b in pair["breakdown"])
    blocking = preview["blockingPairList"]["nodes"]
    assert preview["blockingPairs"] == len(blocking) >= 1
    assert (c.ids["ada"], c.ids["grace"]) in {(b["menteeId"], b["mentorId"]) for b in blocking}
    assert all("the mentee scores" in b["reason"] for b in blocking)
    # nothing proposed, nothing published, nobody told
    matches = await platform.ok(*ADMIN, MATCHES, program=c.program)
    assert matches["matches"]["nodes"] == []
    assert await match_events(kafka_bootstrap, topic_prefix) == []
    for person in (GRACE, ALAN, ADA, BOB, ADMIN):
        assert await inbox(platform, person) == []
    # the same reading sees a proposal made afterwards: the silence above was real
    await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["ada"], mentor=c.ids["grace"])
    [proposed] = await match_events(kafka_bootstrap, topic_prefix, count=1)
    assert (proposed.mentee_id, proposed.mentor_id) == (c.ids["ada"], c.ids["grace"])


async def test_a_draft_program_can_be_previewed_but_not_run(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    draft = CREATE_PROGRAM.replace("defaultMentorCapacity: 3", "defaultMentorCapacity: 3, "
                                   "status: DRAFT")  # fmt: skip
    program = (await platform.ok(*ADMIN, draft, name="Draft"))["createProgram"]["id"]
    await register(platform, GRACE, program)
    await register(platform, ADA, program)

    preview = await platform.ok(*ADMIN, PREVIEW, program=program, objective="BEST_FIT")
    run = await platform.ok(*ADMIN, RUN, program=program, objective="BEST_FIT")

    assert preview["previewMatching"]["matchedCount"] == 1
    assert run["runMatching"]["__typename"] == "Conflict"


# ---- stored reports ----------------------------------------------------------------------------


async def test_every_report_is_stored_and_the_last_run_gives_the_unmatched_reasons(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    zoe = await register(platform, ZOE, c.program, languages=["de"])

    run = (await platform.ok(*ADMIN, RUN, program=c.program, objective="BEST_FIT"))["runMatching"]
    preview = (await platform.ok(*ADMIN, PREVIEW, program=c.program, objective="BEST_FIT"))[
        "previewMatching"
    ]
    read = await platform.ok(*ADMIN, READ_RUNS, program=c.program, run=run["id"])

    assert read["matchingRun"]["id"] == run["id"]
    assert read["matchingRun"]["preview"] is False
    assert [(r["id"], r["preview"]) for r in read["matchingRuns"]["nodes"]] == [
        (preview["id"], True),
        (run["id"], False),
    ]
    last = read["program"]["lastMatchingRun"]
    assert last["id"] == run["id"]  # a preview is not a run
    reasons = {u["menteeId"]: u["reason"] for u in last["unmatched"]}
    assert reasons[zoe] == "no mentor shares a language"
    # the run's pairs are its proposals
    assert {p["matchId"] for p in run["pairs"]["nodes"]} == set(run["proposalIds"])


async def test_a_second_run_proposes_only_to_mentees_without_an_open_or_completed_match(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    first = (await platform.ok(*ADMIN, RUN, program=c.program, objective="MOST_MATCHED"))[
        "runMatching"
    ]
    assert first["matchedCount"] == 2, first
    by_mentee = {p["menteeId"]: p["matchId"] for p in first["pairs"]["nodes"]}
    # Ada's match is accepted and completed; Bob's proposal is cancelled
    assert (await platform.ok(*ALAN, ACCEPT, id=by_mentee[c.ids["ada"]]))["acceptMatch"][
        "status"
    ] == "ACTIVE"
    ended = await platform.ok(
        *ADMIN,
        "mutation($id: ID!) { endMatch(matchId: $id, outcome: COMPLETED) { __typename } }",
        id=by_mentee[c.ids["ada"]],
    )
    assert ended["endMatch"]["__typename"] == "Match"
    cancelled = await platform.ok(*ADMIN, CANCEL, id=by_mentee[c.ids["bob"]], reason="wrong pair")
    assert cancelled["cancelProposal"]["status"] == "CANCELLED"
    # a latecomer arrives, and a mentor with room for her
    zoe = await register(platform, ZOE, c.program, goals=[{"key": "purpose", "level": 3}])
    await register(platform, ("u-lin", ("mentor",)), c.program, languages=["en", "fr"])

    second = (await platform.ok(*ADMIN, RUN, program=c.program, objective="MOST_MATCHED"))[
        "runMatching"
    ]

    proposed_to = {p["menteeId"]: p["mentorId"] for p in second["pairs"]["nodes"]}
    assert set(proposed_to) == {zoe, c.ids["bob"]}  # never Ada, whose match completed
    assert proposed_to[c.ids["bob"]] != c.ids["grace"]  # the cancelled pair is not proposed again
    assert c.ids["ada"] not in {u["menteeId"] for u in second["unmatched"]}


# ---- cancelling a proposal ---------------------------------------------------------------------


async def test_a_cancelled_proposal_frees_the_place_and_tells_both_sides(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    proposed = await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["ada"], mentor=c.ids["grace"])
    match = proposed["proposeMatch"]["id"]

    cancelled = await platform.ok(*CO_ADMIN, CANCEL, id=match, reason="Grace leaves next month")

    assert cancelled["cancelProposal"] == {
        "__typename": "Match",
        "id": match,
        "status": "CANCELLED",
        "reason": "Grace leaves next month",
    }
    # Grace's only place is free again: Bob can be proposed to her
    again = await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["bob"], mentor=c.ids["grace"])
    assert again["proposeMatch"]["status"] == "PROPOSED", again

    async def both_told() -> bool:
        kinds = [
            {n["kind"] for n in await inbox(platform, person) if n["subjectId"] == c.ids["ada"]}
            for person in (ADA, GRACE)
        ]
        return all("MATCH_CANCELLED" in k for k in kinds)

    await eventually(both_told, timeout=30)
    [told] = [n for n in await inbox(platform, ADA) if n["kind"] == "MATCH_CANCELLED"]
    assert "Grace leaves" not in told["title"]
    # cancelling again changes nothing; an answered proposal cannot be cancelled
    repeat = await platform.ok(*ADMIN, CANCEL, id=match, reason="again")
    assert repeat["cancelProposal"]["status"] == "CANCELLED"
    await platform.ok(*GRACE, ACCEPT, id=again["proposeMatch"]["id"])
    late = await platform.ok(*ADMIN, CANCEL, id=again["proposeMatch"]["id"], reason="late")
    assert late["cancelProposal"]["__typename"] == "Conflict"
    assert late["cancelProposal"]["currentState"] == "ACTIVE"


async def test_of_an_acceptance_and_a_cancellation_at_once_exactly_one_wins(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Race"))["createProgram"]["id"]
    grace = await register(platform, GRACE, program, capacity=10)
    mentees = [(f"u-racer-{i}", ("mentee",)) for i in range(8)]
    matches = []
    for mentee in mentees:
        mentee_id = await register(platform, mentee, program)
        proposed = await platform.ok(*ADMIN, PROPOSE, mentee=mentee_id, mentor=grace)
        matches.append(proposed["proposeMatch"]["id"])

    answers = await asyncio.gather(
        *(
            call
            for match in matches
            for call in (
                platform.ok(*GRACE, ACCEPT, id=match),
                platform.ok(*ADMIN, CANCEL, id=match, reason="race"),
            )
        )
    )

    for index, match in enumerate(matches):
        accepted = answers[2 * index]["acceptMatch"]
        cancelled = answers[2 * index + 1]["cancelProposal"]
        winners = [a for a in (accepted, cancelled) if a["__typename"] == "Match"]
        assert len(winners) == 1, (accepted, cancelled)
        loser = cancelled if winners[0] is accepted else accepted
        assert loser["__typename"] == "Conflict", loser
        stored = await platform.ok(
            *ADMIN, "query($id: ID!) { match(id: $id) { status } }", id=match
        )
        assert stored["match"]["status"] == winners[0]["status"]
    active = sum(answers[2 * i]["acceptMatch"]["__typename"] == "Match" for i in range(8))
    mentor = await platform.ok(
        *ADMIN, "query($id: ID!) { mentor(id: $id) { openMatches } }", id=grace
    )
    assert mentor["mentor"]["openMatches"] == active  # cancelled places were given back


# ---- mutual acceptance, and the mentee told of a proposal ----------------------------------------


async def test_where_both_accept_the_match_starts_once_the_mentee_accepts_too(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client, mutual=True)
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["ada"], mentor=c.ids["grace"]))[
        "proposeMatch"
    ]
    assert proposed["menteeMustAccept"] is True

    half = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
    again = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
    both = (await platform.ok(*ADA, ACCEPT, id=proposed["id"]))["acceptMatch"]

    assert half["status"] == again["status"] == "PROPOSED"
    assert half["mentorAcceptedAt"]
    assert not half["menteeAcceptedAt"]
    assert both["status"] == "ACTIVE"
    assert both["menteeAcceptedAt"]

    async def ada_told() -> set[str]:
        return {n["kind"] for n in await inbox(platform, ADA)}

    await eventually(
        lambda: _has(ada_told(), {"MATCH_PROPOSED", "MATCH_ACCEPTANCE_GIVEN", "MATCH_ACCEPTED"})
    )


async def _has(found: Awaitable[set[str]], expected: set[str]) -> bool:
    return expected <= await found


async def test_where_both_accept_a_mentee_who_declines_tells_the_mentor(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client, mutual=True)
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["ada"], mentor=c.ids["grace"]))[
        "proposeMatch"
    ]

    declined = await platform.ok(*ADA, DECLINE, id=proposed["id"])

    assert declined["declineMatch"] == {
        "__typename": "Match",
        "status": "DECLINED",
        "declinedBy": "MENTEE",
    }

    async def grace_told() -> set[str]:
        return {n["kind"] for n in await inbox(platform, GRACE)}

    await eventually(lambda: _has(grace_told(), {"MATCH_PROPOSED", "MATCH_DECLINED"}))
    assert "MATCH_DECLINED" not in {n["kind"] for n in await inbox(platform, ADA)}


async def test_without_mutual_acceptance_the_mentee_is_told_and_cannot_accept(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=c.ids["ada"], mentor=c.ids["grace"]))[
        "proposeMatch"
    ]

    refused = await platform.ok(*ADA, ACCEPT, id=proposed["id"])

    assert refused["acceptMatch"]["__typename"] == "Forbidden"

    async def ada_told() -> bool:
        titles = [n["title"] for n in await inbox(platform, ADA) if n["kind"] == "MATCH_PROPOSED"]
        return titles == ["A mentor has been proposed to you: Grace"]

    await eventually(ada_told)


# ---- who may do what ---------------------------------------------------------------------------

OPERATIONS = """
mutation($program: ID!, $match: ID!) {
  previewMatching(programId: $program) { __typename }
  cancelProposal(matchId: $match, reason: "matrix") { __typename ... on Match { status } }
}"""
READS = """
query($program: ID!, $run: ID!) {
  matchingRun(id: $run) { id }
  matchingRuns(programId: $program) { nodes { id } }
  program(id: $program) { lastMatchingRun { id } }
}"""


async def test_each_role_may_review_and_cancel_exactly_as_it_should(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    run = (await platform.ok(*ADMIN, RUN, program=c.program, objective="MOST_MATCHED"))[
        "runMatching"
    ]
    proposals = list(run["proposalIds"])
    assert len(proposals) == 2

    people: dict[str, Person] = {
        "mentor": GRACE,
        "mentee": ADA,
        "admin of another program": OTHER_ADMIN,
    }
    for who, person in people.items():
        body = await platform.ok(*person, OPERATIONS, program=c.program, match=proposals[0])
        assert body["previewMatching"]["__typename"] == "Forbidden", who
        assert body["cancelProposal"]["__typename"] == "Forbidden", who
        reads = await platform.gql(*person, READS, program=c.program, run=run["id"])
        codes = {e["path"][0]: e["extensions"]["code"] for e in reads["errors"]}
        assert codes["matchingRun"] == codes["matchingRuns"] == "FORBIDDEN", (who, reads)
        assert reads["data"]["matchingRun"] is None
        assert reads["data"]["matchingRuns"] is None
        if who == "admin of another program":
            assert codes["program"] == "FORBIDDEN"
        else:  # participants see the program, not its reports
            assert codes["program"] == "FORBIDDEN"
            assert reads["data"]["program"] is not None
            assert reads["data"]["program"]["lastMatchingRun"] is None

    for person, match in ((ADMIN, proposals[0]), (CO_ADMIN, proposals[1])):
        body = await platform.ok(*person, OPERATIONS, program=c.program, match=match)
        assert body["previewMatching"]["__typename"] == "MatchingRun"
        assert body["cancelProposal"] == {"__typename": "Match", "status": "CANCELLED"}
        reads = await platform.ok(*person, READS, program=c.program, run=run["id"])
        assert reads["matchingRun"]["id"] == run["id"]
        assert reads["program"]["lastMatchingRun"]["id"] == run["id"]
        assert len(reads["matchingRuns"]["nodes"]) >= 2

    for query, variables in (
        (OPERATIONS, {"program": c.program, "match": proposals[0]}),
        (READS, {"program": c.program, "run": run["id"]}),
    ):
        body = await anonymous(platform, query, **variables)
        assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}


# ---- hostile input -----------------------------------------------------------------------------


BAD_CURSOR = """
query($run: ID!) { matchingRun(id: $run) { pairs(after: "../../x") { nodes { score } } } }"""


async def test_bad_reasons_ids_and_cursors_are_refused_with_a_code(
    platform: Platform, mongo_client: AsyncMongoClient[Document]
) -> None:
    c = await cohort(platform, mongo_client)
    run = (await platform.ok(*ADMIN, RUN, program=c.program, objective="BEST_FIT"))["runMatching"]
    match = run["proposalIds"][0]

    empty = await platform.ok(*ADMIN, CANCEL, id=match, reason="   ")
    huge = await platform.ok(*ADMIN, CANCEL, id=match, reason="x" * 5000)
    nul = await platform.http.post(
        "/graphql",
        json={"query": CANCEL, "variables": {"id": match, "reason": "a\u0000b"}},
        headers={"Authorization": f"Bearer {platform.token(*ADMIN[:1], *ADMIN[1])}"},
    )
    long_id = await platform.gql(*ADMIN, READ_RUNS, program=c.program, run="r" * 5000)
    cursor = await platform.gql(*ADMIN, BAD_CURSOR, run=run["id"])
    unknown = await platform.gql(*ADMIN, READ_RUNS, program=c.program, run="run_nothing")

    assert empty["cancelProposal"]["__typename"] == "ValidationError"
    assert huge["cancelProposal"]["__typename"] == "ValidationError"
    assert nul.status_code == 400
    assert nul.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert long_id["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert {e["extensions"]["code"] for e in cursor["errors"]} == {"BAD_USER_INPUT"}
    assert [e["extensions"]["code"] for e in unknown["errors"]] == ["FORBIDDEN"]
    still = await platform.ok(*ADMIN, "query($id: ID!) { match(id: $id) { status } }", id=match)
    assert still["match"]["status"] == "PROPOSED"
