"""A program's check-in reminder (days a mentee goes without checking in before notify reminds
them): set on creation or patch, kept, and published in every ``ProgramPublished``."""

from __future__ import annotations

from mentorship_contracts.topics import Topic

from .conftest import MentoringApi


async def test_a_program_publishes_its_check_in_reminder_when_created_and_changed(
    api: MentoringApi,
) -> None:
    default = await api.program()
    prog = await api.program(check_in_reminder_days=10)
    patched = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"check_in_reminder_days": 3}
    )
    refused = [
        await api.call(
            "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"check_in_reminder_days": v}
        )
        for v in (0, 366, 2.5, None)
    ]
    stranger = await api.call(
        "PATCH", f"/programs/{prog['id']}", "grace", "mentor", json={"check_in_reminder_days": 1}
    )

    programs = await api.events(Topic.MENTORING_PROGRAMS, at_least=3)

    assert default["check_in_reminder_days"] == 7
    assert prog["check_in_reminder_days"] == 10
    assert patched.json()["check_in_reminder_days"] == 3
    assert [r.status_code for r in refused[:3]] == [422] * 3
    assert all(r.json()["detail"][0]["loc"][-1] == "check_in_reminder_days" for r in refused[:3])
    assert refused[3].status_code == 200, "null leaves the setting as it is"
    assert stranger.status_code == 403
    mine = [e.data for e in programs if e.data.program_id == prog["id"]]
    assert [p.check_in_reminder_days for p in mine] == [10, 3]
    assert [e.data.check_in_reminder_days for e in programs if e.key == default["id"]] == [7]
    stored = await api.call("GET", f"/programs/{prog['id']}", "admin", "admin")
    assert stored.json()["check_in_reminder_days"] == 3
