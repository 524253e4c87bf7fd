"""The language a person reads the platform in: the one they ask for, else their profile's, else
the one their ``Accept-Language`` header prefers.

A profile's language is a participation's (``language`` on the participant); a person in several
programs reads in the language of their latest registration. An anonymous caller, or someone with
no participation (an admin who only runs programs), reads in the language their request's
``Accept-Language`` prefers among English and French (``gateway.accept_language``), else content
in its own language. The profile is asked for once per request (or websocket connection), however
many fields need it, and never for an anonymous caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Annotated
from weakref import WeakKeyDictionary

import strawberry

from gateway.accept_language import preferred
from gateway.context import GatewayContext, GatewayInfo
from gateway.features.enums import Language
from gateway.i18n import known, translate
from gateway.services import ServiceRejected, ServiceUnavailable

LanguageArgument = Annotated[
    Language | None,
    strawberry.argument(
        description="The language to read it in; when not given, your profile's language, "
        "else the one your Accept-Language header prefers."
    ),
]


async def reader_language(info: GatewayInfo, asked: Language | None) -> str | None:
    """``asked``, else the caller's language (``caller_language``)."""
    if asked is not None:
        return asked.value
    return await caller_language(info.context)


async def caller_language(context: GatewayContext) -> str | None:
    """The language of a signed-in caller's latest participation, else the one the request's
    ``Accept-Language`` prefers, else none (the content's own language). A mentoring service
    that cannot answer counts as no participation."""
    if getattr(context, "principal", None) is not None:
        language = await profile_language(context)
        if language is not None:
            return language
    request = getattr(context, "request", None)
    header = request.headers.get("accept-language") if request is not None else None
    return preferred(header, [item.value for item in Language])


async def profile_language(context: GatewayContext) -> str | None:
    """The language of the caller's latest participation (asked for once per context), or none."""
    pending = _PROFILE_LANGUAGES.get(context)
    if pending is None:
        pending = asyncio.ensure_future(_profile_language(context))
        _PROFILE_LANGUAGES[context] = pending
    return await asyncio.shield(pending)


async def in_reader_language(info: GatewayInfo, texts: Iterable[str]) -> list[str]:
    """``texts`` (as the services write them, in English) in the caller's language; the caller's
    language is not looked for when no catalog knows any of them."""
    texts = list(texts)
    if not any(known(text) for text in texts):
        return texts
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
