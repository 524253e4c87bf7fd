"""Who can be notified: the people of a program and its admins, as notify last heard of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notify.domain.errors import Invalid


class Language(StrEnum):
    EN = "en"
    FR = "fr"


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    ADMIN = "admin"


class Audience(StrEnum):
    """To whom a rule addresses a notification, relative to the occurrence."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    ADMINS = "admins"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("timezone", f"unknown time zone {name!r}") from None


@dataclass(frozen=True)
class Recipient:
    person_id: str
    user_id: str | None
    display_name: str
    email: str | None
    language: Language
    timezone: str
    roles: frozenset[Role]
    program_id: str
    withdrawn: bool = False

    def __post_init__(self) -> None:
        if not self.person_id:
            raise Invalid("person_id", "must not be empty")
        try:
            object.__setattr__(self, "language", Language(self.language))
        except ValueError:
            raise Invalid(
                "language", f"must be one of {[lang.value for lang in Language]}"
            ) from None
        try:
            object.__setattr__(self, "roles", frozenset(Role(role) for role in self.roles))
        except ValueError:
            raise Invalid("roles", f"must be among {[role.value for role in Role]}") from None
        zone(self.timezone)


@dataclass(frozen=True)
class ProgramAdmins:
    program_id: str
    admins: tuple[Recipient, ...]


class DirectoryLookup(Protocol):
    def person(self, person_id: str) -> Recipient | None: ...

    def program_admins(self, program_id: str) -> ProgramAdmins | None: ...


@dataclass(frozen=True)
class Directory:
    """An in-memory directory, e.g. a snapshot the service layer loaded for one occurrence."""

    people: dict[str, Recipient] = field(default_factory=dict)
    admins: dict[str, ProgramAdmins] = field(default_factory=dict)

    @classmethod
    def of(
        cls, people: Iterable[Recipient] = (), admins: Iterable[ProgramAdmins] = ()
    ) -> Directory:
        return cls(
            {person.person_id: person for person in people},
            {entry.program_id: entry for entry in admins},
        )

    def person(self, person_id: str) -> Recipient | None:
        return self.people.get(person_id)

    def program_admins(self, program_id: str) -> ProgramAdmins | None:
        return self.admins.get(program_id)
