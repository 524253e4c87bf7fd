"""The language a person reads the platform in: the one they ask for, else their profile's.

A profile's language is a participation's (``language`` on the participant); a person in several
programs reads in the language of their latest registration. Someone with no participation (an
admin who only runs programs) reads content in its own language.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.context import GatewayInfo
from gateway.features.enums import Language
from gateway.services import ServiceRejected, ServiceUnavailable

LanguageArgument = Annotated[
    Language | None,
    strawberry.argument(
        description="The language to read it in; when not given, your profile's language."
    ),
]


async def reader_language(info: GatewayInfo, asked: Language | None) -> str | None:
    """``asked``, else the language of the caller's latest participation, else none (the
    content's own language). A mentoring service that cannot answer leaves it at none."""
    if asked is not None:
        return asked.value
    try:
        found = await info.context.services.get("mentoring", "/me/participations")
    except (ServiceRejected, ServiceUnavailable):
        return None
    if not found:
        return None
    language = found[-1]["participant"].get("language")
    return language if language in {item.value for item in Language} else None
