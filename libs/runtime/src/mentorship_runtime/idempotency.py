"""One rule for every request that creates something: the ``Idempotency-Key`` header.

A client that sends a creating request again, after losing the answer, sends it with the same key:

- A key is 1 to 200 printable ASCII characters without spaces (``KEY_RULE``, the gateway's rule
  too); any other value, or the header given twice, is a 422 naming ``Idempotency-Key``.
- With a key, the created resource's id derives from the caller and the key (``derived_id``), one
  id per kind of resource: the retry finds what the first request created.
- The same key with the same request returns the resource created the first time, with the same
  status, and publishes no second event.
- The same key with another request is a 409 (``KeyReused``). A service compares a fingerprint
  of the request (``fingerprint``) stored with the resource, or the stored resource itself where
  what was asked cannot change afterwards. Resources that cannot carry a fingerprint (a check-in
  inside a mentee's tracking) use a ``KeyLedger``.
- Without a key, each request creates anew.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_runtime.errors import DomainError
from mentorship_runtime.mongo import Document, insert_or_find
from mentorship_runtime.request_keys import HEADER, KeyReused

KEY_RULE = "an idempotency key is 1 to 200 printable ASCII characters, without spaces"
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _refused(message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("header", HEADER), "msg": message, "type": "value_error"}]
    )


def idempotency_key(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            json_schema_extra={"pattern": "^[!-~]{1,200}$"},
            description=(
                f"{KEY_RULE}. The same key and the same request create one resource and answer "
                "it again; the same key with another request is a 409."
            ),
        ),
    ] = None,
) -> str | None:
    """The request's idempotency key (None without one), checked against ``KEY_RULE``."""
    given = request.headers.getlist(HEADER)
    if len(given) > 1:
        raise _refused(f"give one {HEADER} header, not {len(given)}")
    if idempotency_key is not None and not _KEY.fullmatch(idempotency_key):
        raise _refused(KEY_RULE)
    return idempotency_key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


@dataclass
class Binding:
    """A key bound to a request: what an earlier request with it recorded (``result``), if any."""

    result: Document | None = None
    _keep: Callable[[Document], Awaitable[None]] | None = None

    async def keep(self, result: Document) -> None:
        """Record what the request created, for a retry to answer the same (the first record
        stays); nothing without a key."""
        if self._keep is not None:
            await self._keep(result)


class KeyLedger:
    """Which request each idempotency key was used for, where the created resource cannot carry
    its request's fingerprint. One document per key: ``_id`` the key's derived id, the request's
    fingerprint, when it was first used, whether a request with it finished (``done``), and what
    it created where a retry cannot find that by itself (``Binding.keep``).

    A request that finds its key bound by the same request still running waits for that one to
    finish (at most ``wait_seconds``, then runs anyway), and then finds its work done. The work is
    idempotent without the wait, but concurrent updates of one document are not atomic on the
    local MongoDB server (see docs/architecture.md): two concurrent retries both recorded it.
    """

    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        clock: Callable[[], datetime],
        wait_seconds: float = 5.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self._collection = collection
        self._clock = clock
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds

    async def _settled(self, key_id: str, stored: Document) -> Document | None:
        """The entry once the request that bound it finished (or was unbound, or too long)."""
        deadline = time.monotonic() + self._wait_seconds
        current: Document | None = stored
        while current is not None and not current.get("done") and time.monotonic() < deadline:
            await asyncio.sleep(self._poll_seconds)
            current = await self._collection.find_one({"_id": key_id})
        return current

    @asynccontextmanager
    async def bound(
        self, key: str | None, key_id: str, request: str, *, creates: str
    ) -> AsyncIterator[Binding]:
        """Run the block once the key is bound to ``request`` (a fingerprint); ``KeyReused`` if it
        is bound to another. A domain error in the block unbinds a key this call bound, so that
        a corrected request may use it. Without a key, the block just runs."""
        if key is None:
            yield Binding()
            return
        entry = {"_id": key_id, "fingerprint": request, "first_used_at": self._clock()}
        inserted, stored = await insert_or_find(self._collection, entry)
        if not inserted:
            if stored is not None and stored["fingerprint"] == request:
                stored = await self._settled(key_id, stored)
            if stored is None:  # unbound meanwhile by a request that failed: bind it now
                inserted, stored = await insert_or_find(self._collection, entry)
            if stored is not None and stored["fingerprint"] != request:
                raise KeyReused(key, creates)
        mine = {"_id": key_id, "fingerprint": request}

        async def keep(result: Document) -> None:
            await self._collection.update_one(
                {**mine, "result": {"$exists": False}}, {"$set": {"result": result}}
            )

        try:
            yield Binding(stored.get("result") if stored else None, keep)
        except DomainError:
            if inserted:
                await self._collection.delete_one(mine)
            raise
        await self._collection.update_one(mine, {"$set": {"done": True}})
