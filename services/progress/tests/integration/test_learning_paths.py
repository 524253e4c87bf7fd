"""Admins write learning paths as immutable versions; mentees stay on the version they began."""

from __future__ import annotations

from typing import Any

from mentorship_contracts.events import ProgramAdmin, ProgramPublished
from mentorship_testing.kafka import eventually
from mentorship_testing.services import serving
from progress.bootstrap import create_app

from .conftest import ProgressApi
from .test_progress_flow import accepted

SEED = "social-business-accompaniment"


def milestone(milestone_id: str, title: str = "Do it") -> dict[str, str]:
    return {
        "id": milestone_id,
        "title": title,
        "description": f"What {milestone_id} means.",
        "evidence_expected": "A link.",
    }


def module(module_id: str, *milestones: dict[str, str]) -> dict[str, Any]:
    return {
        "id": module_id,
        "title": f"Module {module_id}",
        "description": "What it covers.",
        "milestones": list(milestones),
    }


ONBOARDING = {
    "id": "onboarding",
    "title": "Onboarding",
    "modules": [
        module("basics", milestone("read"), milestone("try")),
        module("share", milestone("post")),
    ],
}
ONBOARDING_V2 = {
    "title": "Onboarding, revised",
    "modules": [module("basics", milestone("read")), module("reflect", milestone("summarise"))],
}


async def admin(api: ProgressApi, method: str, path: str, **kw: Any) -> Any:
    return await api.call(method, path, "u-admin", "admin", **kw)


async def program_on(api: ProgressApi, path_id: str, program_id: str = "pg-1") -> None:
    await api.publish(
        ProgramPublished(
            program_id=program_id,
            name="Onboarding program",
            status="open",
            learning_path_id=path_id,
            admins=[ProgramAdmin(user_id="u-admin")],
        )
    )

    async def known() -> bool:
        return await api.db.programs.find_one({"_id": program_id}) is not None

    await eventually(known, timeout=30)


async def test_the_seed_path_is_installed_once_whatever_the_restarts(api: ProgressApi) -> None:
    again = create_app(api.settings.model_copy(update={"role": "api"}), clock=api.clock)
    async with serving(again, "progress-again"):
        pass

    listed = await admin(api, "GET", "/learning-paths")
    seed = await api.call("GET", f"/learning-paths/{SEED}", "u-pt-ada", "mentee")

    assert await api.db.learning_paths.count_documents({}) == 1
    assert listed.json() == [
        {"id": SEED, "title": "Social business accompaniment", "latest_version": 1}
    ]
    assert seed.json()["version"] == 1
    assert len(seed.json()["modules"]) == 6


async def test_an_admin_creates_a_path_and_publishes_versions_that_never_change(
    api: ProgressApi,
) -> None:
    created = await admin(api, "POST", "/learning-paths", json=ONBOARDING)
    v2 = await admin(api, "POST", "/learning-paths/onboarding/versions", json=ONBOARDING_V2)
    retried = await admin(api, "POST", "/learning-paths/onboarding/versions", json=ONBOARDING_V2)

    latest = await admin(api, "GET", "/learning-paths/onboarding")
    first = await admin(api, "GET", "/learning-paths/onboarding", params={"version": 1})
    missing = await admin(api, "GET", "/learning-paths/onboarding", params={"version": 9})

    assert created.status_code == 201, created.text
    assert (created.json()["version"], v2.json()["version"]) == (1, 2)
    assert retried.status_code == 200
    assert retried.json()["version"] == 2
    assert latest.json()["title"] == "Onboarding, revised"
    assert [m["id"] for m in first.json()["modules"]] == ["basics", "share"]
    assert missing.status_code == 404
    assert "onboarding version 9" in missing.json()["detail"]
    assert await api.db.learning_paths.count_documents({"path_id": "onboarding"}) == 2


async def test_only_admins_write_paths_and_bad_paths_are_refused_naming_the_field(
    api: ProgressApi,
) -> None:
    by_mentor = await api.call("POST", "/learning-paths", "u-pt-grace", "mentor", json=ONBOARDING)
    twice = {
        **ONBOARDING,
        "modules": [module("basics", milestone("read")), module("share", milestone("read"))],
    }
    duplicate = await admin(api, "POST", "/learning-paths", json=twice)
    blank = await admin(
        api,
        "POST",
        "/learning-paths",
        json={**ONBOARDING, "modules": [module("basics", milestone("read", title="  "))]},
    )
    huge = await admin(
        api,
        "POST",
        "/learning-paths",
        json={**ONBOARDING, "modules": [module(f"m{i}", milestone(f"s{i}")) for i in range(31)]},
    )
    unknown = await admin(api, "POST", "/learning-paths/nothing-here/versions", json=ONBOARDING_V2)
    await admin(api, "POST", "/learning-paths", json=ONBOARDING)
    taken = await admin(
        api, "POST", "/learning-paths", json={**ONBOARDING, "title": "Another onboarding"}
    )

    assert by_mentor.status_code == 403
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "modules", "1", "milestones", "0", "id"]
    assert "'read' is already used" in duplicate.json()["detail"][0]["msg"]
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"][1:] == ["modules", 0, "milestones", 0, "title"]
    assert huge.status_code == 422
    assert huge.json()["detail"][0]["loc"][1:] == ["modules"]
    assert unknown.status_code == 404
    assert taken.status_code == 409
    assert await api.db.learning_paths.count_documents({"path_id": "onboarding"}) == 1


async def test_mentees_stay_on_the_version_they_began_and_new_ones_get_the_latest(
    api: ProgressApi,
) -> None:
    await admin(api, "POST", "/learning-paths", json=ONBOARDING)
    await program_on(api, "onboarding")
    first = accepted("pt-ada").model_copy(update={"learning_path_id": None})
    await api.publish(first)
    await api.tracked("pt-ada")
    done = await api.call(
        "POST", "/mentees/pt-ada/milestones/post/complete", "u-pt-ada", "mentee", json={}
    )

    await admin(api, "POST", "/learning-paths/onboarding/versions", json=ONBOARDING_V2)
    later = accepted("pt-bob").model_copy(update={"learning_path_id": None})
    await api.publish(later)
    await api.tracked("pt-bob")
    await api.call(
        "POST", "/mentees/pt-bob/milestones/summarise/complete", "u-pt-bob", "mentee", json={}
    )

    ada = (await api.call("GET", "/mentees/pt-ada/progress", "u-pt-ada", "mentee")).json()
    bob = (await api.call("GET", "/mentees/pt-bob/progress", "u-pt-bob", "mentee")).json()
    health = (await admin(api, "GET", "/programs/pg-1/health")).json()

    assert done.status_code == 200, done.text
    assert (ada["path_id"], ada["path_version"], ada["percent"]) == ("onboarding", 1, 33)
    assert [m["module_id"] for m in ada["modules"]] == ["basics", "share"]
    assert (bob["path_version"], bob["percent"]) == (2, 50)
    assert health["mentees"] == 2
    assert health["funnel"] == [
        {"module_id": "basics", "title": "Module basics", "completed": 0, "following": 2},
        {"module_id": "reflect", "title": "Module reflect", "completed": 1, "following": 1},
        {"module_id": "share", "title": "Module share", "completed": 1, "following": 1},
    ]
