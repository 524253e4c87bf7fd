"""The shape of a service's part of a data export, and who may read one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from mentorship_contracts.personal_data import PART_FORMAT, may_read, part_json, plain

MADE = datetime(2026, 12, 7, 6, 0, 0, 123456, tzinfo=UTC)


def test_a_record_loses_its_bookkeeping_fields_and_keeps_its_id_and_dates_in_utc() -> None:
    stored = {
        "_id": "pt_1",
        "_outbox": [{"event_id": "e"}],
        "_outbox_pending": True,
        "display_name": "Zoé",
        "registered_at": datetime(2026, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        "naive": datetime(2026, 1, 2, 9, 0),
        "slots": ({"day": 1},),
    }
    assert plain(stored) == {
        "id": "pt_1",
        "display_name": "Zoé",
        "registered_at": "2026-01-02T09:00:00.000Z",
        "naive": "2026-01-02T09:00:00.000Z",
        "slots": [{"day": 1}],
    }


def test_a_part_counts_its_sections_and_keeps_letters_outside_ascii_as_they_are() -> None:
    text, counts = part_json(
        service="progress",
        export_id="dx_1",
        made_at=MADE,
        subject={"user_id": "u-1", "scope": "person", "participant_ids": ("pt_1",)},
        sections={"trackings": [{"_id": "pt_1", "note": "Łódź"}], "planned_sessions": []},
    )
    assert counts == {"trackings": 1, "planned_sessions": 0}
    assert "Łódź" in text
    part = json.loads(text)
    assert part["format"] == PART_FORMAT
    assert part["made_at"] == "2026-12-07T06:00:00.123Z"
    assert part["subject"]["participant_ids"] == ["pt_1"]
    assert part["sections"]["trackings"] == [{"id": "pt_1", "note": "Łódź"}]
    assert part["counts"] == counts


def test_the_person_and_the_admins_of_every_program_covered_may_read_an_export() -> None:
    def reads(user: str, is_admin: bool, programs: list[str], administered: set[str]) -> bool:
        return may_read(
            user_id=user,
            is_admin=is_admin,
            subject_user_id="u-person",
            program_ids=programs,
            administered=administered,
        )

    assert reads("u-person", False, ["pg_a"], set())
    assert reads("u-admin", True, ["pg_a"], {"pg_a"})
    assert not reads("u-admin", False, ["pg_a"], {"pg_a"}), "the admin role is needed too"
    assert not reads("u-admin", True, ["pg_a", "pg_b"], {"pg_a"}), "one program is not all"
    assert not reads("u-admin", True, [], set()), "an export of no program is the person's"
    assert not reads("u-mentor", False, ["pg_a"], set())
