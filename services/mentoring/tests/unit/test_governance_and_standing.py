from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mentoring.domain.errors import Conflict, Invalid
from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant, ParticipantStatus
from mentoring.domain.programs import (
    MAX_ADMINS,
    Admin,
    LastAdmin,
    MatchingSettings,
    Program,
    ProgramStatus,
)
from mentoring.domain.roster import Standing, found_by, standing

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
S = MatchStatus


def program(*admins: str) -> Program:
    return Program(
        id="pg-1",
        name="Social business",
        description="",
        learning_path_id="p",
        admins=tuple(Admin(a) for a in admins),
        settings=MatchingSettings(),
        status=ProgramStatus.OPEN,
        created_at=NOW,
    )


def participant(**changes: object) -> Participant:
    ada = Participant(
        id="pt-1",
        program_id="pg-1",
        user_id="u-1",
        roles=frozenset({"mentee"}),
        display_name="Ada Lovelace",
        email="ada@example.org",
        language="en",
        languages=frozenset({"en"}),
        timezone="UTC",
        department=None,
        manager_id=None,
        availability=(),
        competencies={},
        goals={},
        capacity=1,
        ranked_mentors=(),
        status=ParticipantStatus.ACTIVE,
        registered_at=NOW,
    )
    return replace(ada, **changes)  # type: ignore[arg-type]


def test_an_admin_is_added_once_and_keeps_their_details() -> None:
    added = program("u-a").with_admin(Admin("u-b", "Grace", "grace@example.org", "fr"))

    assert added.admin_ids == ("u-a", "u-b")
    assert added.admins[1] == Admin("u-b", "Grace", "grace@example.org", "fr")
    assert added.with_admin(Admin("u-b", "Someone else")) is added


def test_a_program_has_at_most_twenty_admins() -> None:
    full = program(*(f"u-{i}" for i in range(MAX_ADMINS)))

    with pytest.raises(Invalid, match="at most 20 admins"):
        full.with_admin(Admin("u-new"))


def test_removing_admins_never_leaves_none() -> None:
    two = program("u-a", "u-b")

    one = two.without_admin("u-a")
    assert one.admin_ids == ("u-b",)
    assert one.without_admin("u-a") is one  # not an admin: nothing changes
    with pytest.raises(LastAdmin, match="last admin") as refused:
        one.without_admin("u-b")
    assert isinstance(refused.value, Conflict)


def test_an_erased_admin_keeps_running_the_program_by_their_account_alone() -> None:
    named = program("u-a").with_admin(Admin("u-b", "Grace", "grace@example.org", "fr"))

    forgotten = named.without_admin_contact("u-b")
    assert forgotten.admin_ids == ("u-a", "u-b")
    assert forgotten.admins[1] == Admin("u-b", language="fr")
    assert forgotten.without_admin_contact("u-b") is forgotten  # nothing left to forget
    assert named.without_admin_contact("u-z") is named  # not an admin


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), Standing.UNMATCHED),
        ((S.DECLINED, S.EXPIRED, S.ENDED_EARLY), Standing.UNMATCHED),
        ((S.COMPLETED, S.DECLINED), Standing.COMPLETED),
        ((S.COMPLETED, S.PROPOSED), Standing.PROPOSED),
        ((S.PROPOSED, S.ACTIVE, S.COMPLETED), Standing.ACTIVE),
    ],
)
def test_a_standing_follows_the_matches_by_precedence(
    statuses: tuple[MatchStatus, ...], expected: Standing
) -> None:
    assert standing(participant(), statuses) is expected


def test_a_withdrawn_participant_stands_withdrawn_whatever_their_matches() -> None:
    gone = participant(status=ParticipantStatus.WITHDRAWN)

    assert standing(gone, (S.ACTIVE,)) is Standing.WITHDRAWN


@pytest.mark.parametrize(
    ("search", "found"),
    [
        (None, True),
        ("   ", True),
        (" lovelace ", True),
        ("ADA@EXAMPLE", True),
        ("grace", False),
        (".*", False),  # plain text, never a pattern
        ("ada\x00", False),
    ],
)
def test_a_search_is_plain_text_in_the_name_or_the_address(search: str | None, found: bool) -> None:
    assert found_by(participant(), search) is found
