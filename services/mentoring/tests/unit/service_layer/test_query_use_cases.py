"""The gateway's reads, with who may see what, on the fakes."""

from __future__ import annotations

import pytest

from mentoring.domain.errors import Forbidden, NotFound
from mentoring.service_layer import queries
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    STRANGER,
    pair,
    person,
    program,
    proposal,
    register,
)

ADA = person("u-ada", "mentee")
BOB = person("u-bob", "mentee")


async def test_a_program_is_read_by_its_admins_and_participants_only() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)

    assert await queries.program(fakes.context(), ADMIN, made.id) == made
    assert await queries.program(fakes.context(), ADA, made.id) == made
    with pytest.raises(NotFound):
        await queries.program(fakes.context(), STRANGER, made.id)


async def test_without_ids_an_admin_lists_the_programs_they_administer() -> None:
    fakes = Fakes()
    first = await program(fakes)
    second = await program(fakes)

    listed = await queries.programs(fakes.context(), ADMIN, None, 10)
    others = await queries.programs(fakes.context(), OTHER_ADMIN, None, 10)
    by_ids = await queries.programs(fakes.context(), STRANGER, [first.id, second.id], 10)

    assert {p.id for p in listed} == {first.id, second.id}
    assert others == by_ids == []


async def test_an_admin_pages_through_their_programs_by_id() -> None:
    fakes = Fakes()
    made = sorted([(await program(fakes)).id for _ in range(3)])

    first = await queries.programs(fakes.context(), ADMIN, None, 2)
    rest = await queries.programs(fakes.context(), ADMIN, None, 2, after=first[-1].id)

    assert [p.id for p in first] == made[:2]
    assert [p.id for p in rest] == made[2:]


async def test_a_person_sees_themselves_the_programs_mentors_and_their_counterparts_only() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    other_mentee = await register(fakes, made.id, "u-bob", "mentee")
    ids = [mentee.id, mentor.id, other_mentee.id]

    seen_by_ada = await queries.participants(fakes.context(), ADA, ids)
    seen_by_stranger = await queries.participants(fakes.context(), STRANGER, ids)
    seen_by_admin = await queries.participants(fakes.context(), ADMIN, ids)

    assert [p.id for p in seen_by_ada] == [mentee.id, mentor.id]
    assert seen_by_stranger == []
    assert [p.id for p in seen_by_admin] == ids


async def test_a_mentor_sees_the_mentees_they_are_matched_with() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    other_mentee = await register(fakes, made.id, "u-bob", "mentee")
    grace = person("u-grace", "mentor")
    assert [p.id for p in await queries.participants(fakes.context(), grace, [mentee.id])] == []

    await proposal(fakes, made.id, mentee, mentor)
    seen = await queries.participants(fakes.context(), grace, [mentee.id, other_mentee.id])

    assert [p.id for p in seen] == [mentee.id]


async def test_a_match_is_read_by_its_sides_and_its_programs_admins_only() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    for reader in (ADA, ADMIN, person("u-grace", "mentor")):
        assert await queries.matches_by_ids(fakes.context(), reader, [match.id]) == [match]
    assert await queries.matches_by_ids(fakes.context(), OTHER_ADMIN, [match.id]) == []


async def test_a_programs_admin_lists_its_matches_by_status_page_by_page() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    second = await register(fakes, made.id, "u-bob", "mentee")
    first_match = await proposal(fakes, made.id, mentee, mentor)
    fakes.clock.advance(seconds=1)
    second_match = await proposal(fakes, made.id, second, mentor)

    async def page(after: str | None = None, status: str | None = "proposed") -> list[str]:
        found = await queries.find_matches(
            fakes.context(),
            ADMIN,
            program_id=made.id,
            status=status,
            mentor_id=None,
            mentee_id=None,
            first=1,
            after=after,
        )
        return [m.id for m in found.items] + ([found.next_cursor] if found.next_cursor else [])

    first_id, cursor = await page()
    assert first_id == first_match.id
    assert await page(cursor) == [second_match.id]
    assert await page(status="active") == []


async def test_a_person_lists_their_own_matches_only() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    second = await register(fakes, made.id, "u-bob", "mentee")
    mine = await proposal(fakes, made.id, mentee, mentor)
    await proposal(fakes, made.id, second, mentor)

    found = await queries.find_matches(
        fakes.context(),
        ADA,
        program_id=made.id,
        status=None,
        mentor_id=None,
        mentee_id=None,
        first=10,
        after=None,
    )

    assert [m.id for m in found.items] == [mine.id]
    assert found.next_cursor is None


async def test_an_admin_lists_matches_per_program() -> None:
    fakes = Fakes()
    await pair(fakes)

    with pytest.raises(Forbidden):
        await queries.find_matches(
            fakes.context(),
            ADMIN,
            program_id=None,
            status=None,
            mentor_id=None,
            mentee_id=None,
            first=10,
            after=None,
        )
    by_side = await queries.find_matches(
        fakes.context(),
        BOB,
        program_id=None,
        status=None,
        mentor_id=None,
        mentee_id="pt-any",
        first=10,
        after=None,
    )
    assert by_side.items == []
