import pytest

from notify.domain.directory import Directory, Language, ProgramAdmins, Recipient, Role
from notify.domain.errors import Invalid

from .builders import ADA, ALAN, PROGRAM, person


def test_the_directory_finds_people_and_program_admins() -> None:
    found = Directory.of([ADA], [ProgramAdmins(PROGRAM, (ALAN,))])

    assert found.person("pt-ada") == ADA
    assert found.person("pt-nobody") is None
    assert found.program_admins(PROGRAM) == ProgramAdmins(PROGRAM, (ALAN,))
    assert found.program_admins("pg-other") is None


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "", "../../etc/passwd"])
def test_a_recipient_lives_in_a_real_time_zone(zone: str) -> None:
    with pytest.raises(Invalid) as raised:
        person("pt-ada", "Ada", timezone=zone)

    assert raised.value.field == "timezone"


def test_a_recipient_reads_english_or_french() -> None:
    with pytest.raises(Invalid) as raised:
        Recipient("pt-ada", None, "Ada", None, "de", "UTC", frozenset({Role.MENTEE}), PROGRAM)  # type: ignore[arg-type]

    assert raised.value.field == "language"
    assert person("pt-ada", "Ada", language=Language.FR).language is Language.FR
