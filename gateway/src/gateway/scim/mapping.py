"""How a SCIM User maps to a participant (the mentoring service's provisioning accounts).

- ``id`` is the participant's id; ``userName`` the provider's sign-in name (unique in the
  program, without regard to case); ``externalId`` the provider's id. The participant's key
  (its external id, and its account: the subject of the person's tokens) is the ``externalId``
  given at creation, else the ``userName``, and never changes.
- ``displayName``, else ``name.formatted``, else given and family name, else ``userName``: the
  name shown. The primary e-mail (else the first): where the platform writes.
- ``preferredLanguage``: the language of messages, ``en`` or ``fr`` (``fr-CA`` is ``fr``);
  ``timezone``: an IANA zone. Enterprise ``department``; ``manager.value``: the manager's id
  (a participant of the same program).
- The platform's extension: ``roles`` (mentee when not given), ``languages``, ``competencies``
  and ``goals`` (skill and level), ``capacity``.
- ``active`` false withdraws the person (for good: ``active`` true later is kept as the
  provider's view and reinstates no one).

Every profile field is sent on every write, empty when not given, so that a replacement resets
what it leaves out to the platform's default. The provider's view (what it gave, among the
attributes this platform keeps) is stored as given and answered back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scim2_models import (
    Context,
    InvalidValueException,
    Meta,
)

from gateway.scim.resources import LANGUAGES, Enterprise, Mentorship, User, extension

DEFAULT_ROLES = ["mentee"]


def _display_name(user: User) -> str:
    if user.display_name:
        return user.display_name
    if user.name is not None:
        if user.name.formatted:
            return user.name.formatted
        parts = [p for p in (user.name.given_name, user.name.family_name) if p]
        if parts:
            return " ".join(parts)
    return user.user_name or ""


def _email(user: User) -> str:
    emails = [e for e in user.emails or [] if e.value]
    if not emails:
        raise InvalidValueException(detail="emails: a person needs an e-mail address")
    primary = next((e for e in emails if e.primary), emails[0])
    return str(primary.value)


def _language(user: User) -> str | None:
    if user.preferred_language is None:
        return None
    language = user.preferred_language.split("-")[0].split("_")[0].lower()
    if language not in LANGUAGES:
        raise InvalidValueException(
            detail=f"preferredLanguage: the platform speaks {', '.join(LANGUAGES)}"
        )
    return language


def _number(text: str, where: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidValueException(detail=f"{where}: a whole number from {low} to {high}")
    return int(text)


def _levels(skills: list[Any] | None, where: str) -> dict[str, int] | None:
    if skills is None:
        return None
    levels: dict[str, int] = {}
    for skill in skills:
        if skill.skill in levels:
            raise InvalidValueException(detail=f"{where}: {skill.skill!r} is given twice")
        levels[skill.skill] = _number(skill.level or "", f"{where}.level", 1, 5)
    return levels


def account_body(user: User) -> dict[str, Any]:
    """The mentoring service's account request for ``user``."""
    enterprise = extension(user, Enterprise)
    mentorship = extension(user, Mentorship)
    manager = enterprise.manager if enterprise is not None else None
    capacity = mentorship.capacity if mentorship is not None else None
    profile = {
        "display_name": _display_name(user),
        "email": _email(user),
        "language": _language(user),
        "timezone": user.timezone,
        "department": enterprise.department if enterprise is not None else None,
        "manager_id": manager.value if manager is not None else None,
        "roles": (mentorship.roles if mentorship and mentorship.roles else DEFAULT_ROLES),
        "languages": mentorship.languages if mentorship else None,
        "competencies": _levels(mentorship.competencies if mentorship else None, "competencies"),
        "goals": _levels(mentorship.goals if mentorship else None, "goals"),
        "capacity": _number(capacity, "capacity", 1, 50) if capacity is not None else None,
    }
    kept = user.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    for server_side in ("id", "meta"):
        kept.pop(server_side, None)
    return {
        "user_name": user.user_name,
        "external_id": user.external_id,
        "active": user.active,
        "representation": json.dumps(kept, separators=(",", ":")),
        "profile": profile,
    }


def user_of(account: dict[str, Any], location: str) -> User:
    """The SCIM User an account of the mentoring service stands for."""
    user = User.model_validate(json.loads(account["representation"]))
    user.id = account["participant_id"]
    user.meta = Meta(
        resource_type="User",
        created=datetime.fromisoformat(account["created_at"]),
        last_modified=datetime.fromisoformat(account["updated_at"]),
        location=location,
        version=f'W/"{account["version"]}"',
    )
    return user
