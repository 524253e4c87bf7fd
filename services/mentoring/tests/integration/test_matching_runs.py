"""A whole-cohort run proposes optimal matches and reports on them."""

from __future__ import annotations

from .conftest import MentoringApi


async def test_a_cohort_run_proposes_a_mentor_to_every_mentee_it_can(api: MentoringApi) -> None:
    prog = await api.program()
    grace = await api.register(
        prog["id"], "grace", "mentor", capacity=1, competencies={"purpose": 5}
    )
    alan = await api.register(prog["id"], "alan", "mentor", capacity=1, competencies={"rules": 5})
    ada = await api.register(prog["id"], "ada", "mentee", goals={"purpose": 4})
    bob = await api.register(prog["id"], "bob", "mentee", goals={"rules": 4})
    await api.register(prog["id"], "zoe", "mentee", languages=["de"])

    run = await api.call(
        "POST",
        f"/programs/{prog['id']}/matching-runs",
        "admin",
        "admin",
        json={"objective": "best_fit"},
    )

    assert run.status_code == 200, run.text
    report = run.json()
    assert report["matched_count"] == 2
    assert report["unmatched"][0]["reason"]
    assert report["blocking_pairs"] == 0
    events = await api.settle()
    pairs = {(e.data.mentee_id, e.data.mentor_id) for e in events}
    assert pairs == {(ada["id"], grace["id"]), (bob["id"], alan["id"])}
    assert {e.data.proposed_by for e in events} == {"cohort_run"}


async def test_suggestions_explain_every_score(api: MentoringApi) -> None:
    prog = await api.program()
    await api.register(prog["id"], "grace", "mentor", competencies={"purpose": 5, "rules": 1})
    ada = await api.register(prog["id"], "ada", "mentee", goals={"purpose": 4, "rules": 3})

    response = await api.call("GET", f"/participants/{ada['id']}/suggestions?k=3", "ada", "mentee")

    assert response.status_code == 200
    [suggestion] = response.json()
    assert suggestion["mentor"]["display_name"] == "Grace"
    points = sum(c["points"] for c in suggestion["breakdown"])
    assert abs(points - suggestion["score"]) < 0.05
    assert any("1 of 2 goals" in r for r in suggestion["reasons"])
