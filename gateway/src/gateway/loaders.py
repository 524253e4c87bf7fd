"""DataLoaders: within one request, the items a level of the query needs are fetched together.

Each loader turns the keys gathered in one tick into one call to one service (split only past the
service's own batch limit), so a query costs one call per service per level of nesting, not one
per item. Services answer only with what the caller may see: a key missing from the answer
becomes a FORBIDDEN error on the fields that asked for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from gateway.errors import as_field_error, not_visible
from gateway.services import ServiceCalls

Json = dict[str, Any]

# the services' own limits: mentoring takes at most 500 ids in 20,000 characters (300 ids of
# the longest valid length fit), progress 500, notify 200 subjects
PARTICIPANT_BATCH = 300
PROGRAM_BATCH = 300
PROGRESS_BATCH = 500
UNREAD_BATCH = 200


class Loaders:
    """``batch=False`` (the ``DATALOADERS=false`` setting, for benchmarks and diagnostics) makes
    every key a call of its own, with no cache and no priming: what the gateway would cost
    without DataLoaders."""

    def __init__(self, calls: ServiceCalls, *, cache: bool = True, batch: bool = True) -> None:
        self._calls = calls
        self._batch = batch
        cache = cache and batch

        def size(limit: int) -> int:
            return limit if batch else 1

        self.participant = DataLoader[str, Json](
            self._participants, max_batch_size=size(PARTICIPANT_BATCH), cache=cache
        )
        self.program = DataLoader[str, Json](
            self._programs, max_batch_size=size(PROGRAM_BATCH), cache=cache
        )
        self.match = DataLoader[str, Json](
            self._matches, max_batch_size=size(PARTICIPANT_BATCH), cache=cache
        )
        self.progress = DataLoader[str, Json](
            self._progress, max_batch_size=size(PROGRESS_BATCH), cache=cache
        )
        self.unread_about = DataLoader[str, int](
            self._unread_about, max_batch_size=size(UNREAD_BATCH), cache=cache
        )

    async def _by_id(
        self, keys: Sequence[str], kind: str, fetch: Any
    ) -> list[Json | BaseException]:
        try:
            found = await fetch()
        except Exception as exc:
            error = as_field_error(exc, kind)
            return [error for _ in keys]
        by_id = {item[_id_field(kind)]: item for item in found}
        return [by_id.get(key) or not_visible(kind, key) for key in keys]

    async def _participants(self, keys: list[str]) -> list[Json | BaseException]:
        return await self._by_id(
            keys,
            "participant",
            lambda: self._calls.get("mentoring", "/participants", {"ids": ",".join(keys)}),
        )

    async def _programs(self, keys: list[str]) -> list[Json | BaseException]:
        return await self._by_id(
            keys,
            "program",
            lambda: self._calls.get(
                "mentoring", "/programs", {"ids": ",".join(keys), "first": 100}
            ),
        )

    async def _matches(self, keys: list[str]) -> list[Json | BaseException]:
        async def fetch() -> Any:
            page = await self._calls.get("mentoring", "/matches", {"ids": ",".join(keys)})
            return page["items"]

        return await self._by_id(keys, "match", fetch)

    async def _progress(self, keys: list[str]) -> list[Json | BaseException]:
        return await self._by_id(
            keys,
            "mentee",
            lambda: self._calls.get("progress", "/progress", {"mentee_ids": ",".join(keys)}),
        )

    async def _unread_about(self, keys: list[str]) -> list[int | BaseException]:
        try:
            body = await self._calls.get(
                "notify", "/inbox/unread-count/by-subject", [("subject_id", k) for k in keys]
            )
        except Exception as exc:
            error: GraphQLError = as_field_error(exc, "inbox")
            return [error for _ in keys]
        counts = body.get("counts", {}) if isinstance(body, dict) else {}
        return [int(counts.get(key, 0)) for key in keys]

    def prime_progress(self, views: Sequence[Json], *, force: bool = False) -> None:
        """``force``: these views are newer than any this request read before."""
        if not self._batch:
            return
        for view in views:
            self.progress.prime(view["mentee_id"], view, force=force)

    def prime_participants(self, participants: Sequence[Json]) -> None:
        if not self._batch:
            return
        for participant in participants:
            self.participant.prime(participant["id"], participant)


def _id_field(kind: str) -> str:
    return "mentee_id" if kind == "mentee" else "id"
