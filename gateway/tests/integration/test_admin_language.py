"""Program admins are written to in their profile's language: their participation in the program,
else their latest registration elsewhere, else English (through the gateway, on the real
services, read in the admins' inboxes)."""

from __future__ import annotations

import asyncio

from mentorship_testing.kafka import eventually

from .conftest import ADMIN, CREATE_PROGRAM, REGISTER, Platform, add_program_admin, profile
from .test_governance import WITHDRAW
from .test_reviewable_matching import Person, inbox

AMELIE = ("u-tongue-amelie", ("admin", "mentee"))  # a mentee in French elsewhere, then an admin
BRUNO = ("u-tongue-bruno", ("admin", "mentee"))  # a mentee in French elsewhere
EDGAR = ("u-tongue-edgar", ("admin",))  # never registered anywhere
HERE = ("u-tongue-here", ("admin", "mentee"))  # registered in English in the program itself


async def _program(platform: Platform, who: Person, name: str) -> str:
    created = (await platform.ok(*who, CREATE_PROGRAM, name=name))["createProgram"]
    assert created["__typename"] == "Program", created
    return str(created["id"])


async def _register(platform: Platform, who: Person, program: str, language: str) -> str:
    done = await platform.ok(
        *who,
        REGISTER,
        mentor=False,
        input=profile(program, who[0].removeprefix("u-tongue-").title(), language=language),
    )
    assert done["mentee"]["__typename"] == "Participant", done
    return str(done["mentee"]["id"])


async def test_admins_read_of_a_departure_in_their_profiles_language(platform: Platform) -> None:
    elsewhere = await _program(platform, ADMIN, "Elsewhere")
    await _register(platform, AMELIE, elsewhere, "EN")
    await _register(platform, AMELIE, await _program(platform, ADMIN, "Later"), "FR")
    await _register(platform, BRUNO, elsewhere, "FR")
    # Amélie creates a program: her latest registration is in French
    program = await _program(platform, AMELIE, "Mine")
    # Bruno is added with no language given: his French profile elsewhere; Edgar has none
    await add_program_admin(platform, AMELIE, program, BRUNO[0])
    await add_program_admin(platform, AMELIE, program, EDGAR[0])
    # Here registered in the program in English before being made an admin of it: that wins
    await _register(platform, HERE, program, "EN")
    await add_program_admin(platform, AMELIE, program, HERE[0])

    leavers = 0

    async def leave() -> str:
        nonlocal leavers
        leavers += 1
        who = (f"u-tongue-leaver-{leavers}", ("mentee",))
        joined = await _register(platform, who, program, "FR")
        left = await platform.ok(*who, WITHDRAW, participant=joined)
        assert left["withdrawParticipant"]["status"] == "WITHDRAWN", left
        return f"Leaver-{leavers}"

    async def titles(who: Person) -> set[str]:
        return {
            n["title"] for n in await inbox(platform, who) if n["kind"] == "PARTICIPANT_WITHDRAWN"
        }

    async def everyone_told() -> bool:
        await leave()
        await asyncio.sleep(0.5)
        found = await asyncio.gather(*(titles(who) for who in (AMELIE, BRUNO, EDGAR, HERE)))
        return all(found)

    # notify learns of the admins from the program's event: leave until it has
    await eventually(everyone_told, timeout=60)
    name = await leave()

    async def told_of_the_last() -> bool:
        return f"Départ du programme : {name}" in await titles(AMELIE)

    await eventually(told_of_the_last, timeout=30)
    french, english = f"Départ du programme : {name}", f"{name} has left the program"
    assert french in await titles(BRUNO)
    assert english in await titles(EDGAR)
    assert english in await titles(HERE)
    assert not any(t.startswith("Départ") for t in await titles(EDGAR))
    assert not any(t.endswith("has left the program") for t in await titles(AMELIE))


ZOE = ("u-tongue-zoe", ("admin", "mentee"))  # runs a program she is a mentee in, then says French
SPEAK_FRENCH = """
mutation($id: ID!) {
  updateProfile(participantId: $id, input: {language: FR}) {
    __typename ... on Participant { language }
  }
}"""


async def test_an_admin_who_switches_her_profile_to_french_is_written_to_in_french(
    platform: Platform,
) -> None:
    program = await _program(platform, ZOE, "Hers")
    mine = await _register(platform, ZOE, program, "EN")
    leavers = 0

    async def leave() -> str:
        nonlocal leavers
        leavers += 1
        who = (f"u-tongue-zoe-leaver-{leavers}", ("mentee",))
        joined = await _register(platform, who, program, "EN")
        left = await platform.ok(*who, WITHDRAW, participant=joined)
        assert left["withdrawParticipant"]["status"] == "WITHDRAWN", left
        return f"Zoe-Leaver-{leavers}"

    async def titles() -> set[str]:
        return {
            n["title"] for n in await inbox(platform, ZOE) if n["kind"] == "PARTICIPANT_WITHDRAWN"
        }

    async def told(title: str) -> bool:
        return title in await titles()

    name = await leave()
    await eventually(lambda: told(f"{name} has left the program"), timeout=60)

    switched = await platform.ok(*ZOE, SPEAK_FRENCH, id=mine)
    assert switched["updateProfile"] == {"__typename": "Participant", "language": "FR"}

    async def told_in_french() -> bool:
        name = await leave()
        await asyncio.sleep(0.5)
        return await told(f"Départ du programme : {name}")

    # the program's admins are published again once mentoring read the change: leave until then
    await eventually(told_in_french, timeout=60)
    name = await leave()
    await eventually(lambda: told(f"Départ du programme : {name}"), timeout=30)
    assert f"{name} has left the program" not in await titles()
