"""The SCIM resources this platform serves, as ``scim2-models`` models.

The published User schema holds the attributes the platform keeps (what it uses, and what it
answers back as the provider gave it), not the whole RFC 7643 core schema: attributes it does
not keep are left out of a request. ``emails`` is required, since the platform writes to
people. The enterprise extension is served whole (``department`` and ``manager.value`` are
used), and the platform's own extension carries what only it has. Its numbers (a skill's level,
a capacity) are written as text with their values listed (``canonicalValues``, which SCIM gives
to strings only), the way identity providers map extension attributes most easily.
"""

from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import EmailStr, Field, field_validator
from scim2_models import (
    URN,
    CaseExact,
    ComplexAttribute,
    EnterpriseUser,
    Extension,
    Reference,
    Required,
    Resource,
    Uniqueness,
)
from scim2_models.resources.enterprise_user import Manager as CoreManager
from scim2_models.resources.user import Email as CoreEmail
from scim2_models.resources.user import Name

MENTORSHIP_SCHEMA = "urn:ietf:params:scim:schemas:extension:mentorship:2.0:User"
LANGUAGES = ["en", "fr"]
"""The languages the platform speaks to a person in (``preferredLanguage``; a tag such as
``fr-CA`` counts as its language, ``fr``)."""
SPOKEN = [
    "ar", "bn", "cs", "da", "de", "el", "en", "es", "fi", "fr", "he", "hi", "hu", "id", "it",
    "ja", "ko", "nl", "no", "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh",
]  # fmt: skip
"""Suggested language codes for ``languages`` (any ISO 639 code is taken)."""
ZONES = sorted(available_timezones())
LEVELS = [str(level) for level in range(1, 6)]
CAPACITIES = [str(places) for places in range(1, 51)]


class Email(CoreEmail):
    value: Annotated[EmailStr | None, Required.true] = Field(
        None, description="An e-mail address of the person."
    )


class Manager(CoreManager):
    ref: Annotated[Reference["User"] | None, CaseExact.true] = Field(  # type: ignore[assignment]
        None,
        serialization_alias="$ref",
        validation_alias="$ref",
        description="The manager's URL (identity providers often send only the id).",
    )


class Enterprise(EnterpriseUser):
    """The enterprise extension, whose ``manager.$ref`` may be left out."""

    manager: Manager | None = None

    @field_validator("manager", mode="before")
    @classmethod
    def _manager_by_id(cls, value: Any) -> Any:
        """Entra ID names the manager by their id alone (a text, not an object)."""
        return {"value": value} if isinstance(value, str) else value


class Skill(ComplexAttribute):
    skill: Annotated[str | None, Required.true] = Field(
        None,
        description="A skill key: lower-case letters, digits, '-' and '_', starting with a "
        "letter or a digit, at most 64 characters (a learning path's module id).",
    )
    level: Annotated[str | None, Required.true] = Field(
        None, description="The level, 1 to 5 (written as text).", examples=LEVELS
    )


class Mentorship(Extension):
    """What only this platform knows of a person."""

    __schema__ = URN(MENTORSHIP_SCHEMA)

    roles: list[str] | None = Field(
        None,
        description="mentor, mentee or both; mentee when not given.",
        examples=["mentee", "mentor"],
    )
    languages: list[str] | None = Field(
        None,
        description="The languages the person can be mentored in (ISO 639 codes); the "
        "preferred language when not given.",
        examples=SPOKEN,
    )
    competencies: list[Skill] | None = Field(
        None, description="What a mentor can teach, with a level from 1 to 5 per skill."
    )
    goals: list[Skill] | None = Field(
        None, description="What a mentee wants to learn, with a level from 1 to 5 per skill."
    )
    capacity: str | None = Field(
        None,
        description="How many mentees a mentor takes at once (1 to 50, written as text); "
        "the program's default when not given.",
        examples=CAPACITIES,
    )


class User(Resource[Enterprise | Mentorship]):
    """A participant of the program the token opens, as the identity provider sees them."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = Field(
        None, description="The person's sign-in name (usually their e-mail or UPN)."
    )
    name: Name | None = None
    display_name: str | None = Field(
        None,
        description="The name the platform shows; name.formatted, given and family name, "
        "or userName when not given.",
    )
    emails: Annotated[list[Email] | None, Required.true] = Field(
        None, description="The primary (else the first) is where the platform writes."
    )
    preferred_language: str | None = Field(
        None, description="The language of the platform's messages.", examples=LANGUAGES
    )
    timezone: str | None = Field(None, description="An IANA time zone.", examples=ZONES)
    active: bool | None = Field(
        None,
        description="false: the person left; they are withdrawn from the program (for good).",
    )


def extension(user: User, model: type[Any]) -> Any:
    """The user's instance of an extension model, or None."""
    value = user[model]
    return value if isinstance(value, model) else None
