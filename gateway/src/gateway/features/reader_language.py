"""The language a person reads the platform in: the one they ask for, else their profile's.

A profile's language is a participation's (``language`` on the participant); a person in several
programs reads in the language of their latest registration. Someone with no participation (an
admin who only runs programs) reads content in its own language. The profile is asked for once
per request (or websocket connection), however many fields need it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Annotated
from weakref import WeakKeyDictionary

import strawberry

from gateway.context import GatewayContext, GatewayInfo
from gateway.features.enums import Language
from gateway.i18n import translate
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
    return await profile_language(info.context)


async def profile_language(context: GatewayContext) -> str | None:
    """The language of the caller's latest participation (asked for once per context), or none."""
    pending = _PROFILE_LANGUAGES.get(context)
    if pending is None:
        pending = asyncio.ensure_future(_profile_language(context))
        _PROFILE_LANGUAGES[context] = pending
    return await asyncio.shield(pending)


async def in_reader_language(info: GatewayInfo, texts: Iterable[str]) -> list[str]:
    """``texts`` (as the services write them, in English) in the caller's profile language."""
    language = await reader_language(info, None)
    return [translate(text, language) for text in texts]


_PROFILE_LANGUAGES: WeakKeyDictionary[GatewayContext, asyncio.Future[str | None]] = (
    WeakKeyDictionary()
)


async def _profile_language(context: GatewayContext) -> str | None:
    try:
        found = await context.services.get("mentoring", "/me/participations")
    except (ServiceRejected, ServiceUnavailable):
        return None
    if not found:
        return None
    language = found[-1]["participant"].get("language")
    return language if language in {item.value for item in Language} else None
