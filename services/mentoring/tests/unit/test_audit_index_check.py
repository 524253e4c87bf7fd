"""Where a deployment Job creates the audit trail's index (AUDIT_LOG_INDEX=check), mentoring
starts only if the index is there and no index of audit_log makes the server expire records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from structlog.testing import capture_logs

from mentoring.adapters.audit_log import AuditIndexRefused, AuditLog, index_problems
from mentorship_runtime.mongo import Document

ID_INDEX = {"v": 2, "key": {"_id": 1}, "name": "_id_"}
TRAIL_INDEX = {
    "v": 2,
    "key": {"program_id": -1, "at": -1, "_id": -1},
    "name": "program_id_-1_at_-1__id_-1",
}


class ListedIndexes:
    """What ``list_indexes`` gives for audit_log: a cursor over the index descriptions."""

    def __init__(self, name: str, indexes: list[dict[str, Any]]) -> None:
        self.name = name
        self.indexes = indexes

    async def list_indexes(self) -> AsyncIterator[dict[str, Any]]:
        async def cursor() -> AsyncIterator[dict[str, Any]]:
            for index in self.indexes:
                yield index

        return cursor()


def audit_log_listing(*indexes: dict[str, Any]) -> AuditLog:
    database = {"audit_log": ListedIndexes("audit_log", list(indexes))}
    return AuditLog(cast(AsyncDatabase[Document], database))


async def test_the_start_goes_on_when_the_trails_index_is_there_and_nothing_expires() -> None:
    await audit_log_listing(ID_INDEX, TRAIL_INDEX).check_indexes()
    # a server may give the directions as doubles
    as_doubles = {**TRAIL_INDEX, "key": {"program_id": -1.0, "at": -1.0, "_id": -1.0}}
    assert index_problems([ID_INDEX, as_doubles]) == []


async def test_the_start_is_refused_without_the_index_and_a_log_line_says_why() -> None:
    with (
        capture_logs() as logs,
        pytest.raises(AuditIndexRefused, match=r"audit_log: no index on \(program_id -1, at -1"),
    ):
        await audit_log_listing(ID_INDEX).check_indexes()
    [line] = [entry for entry in logs if entry["event"] == "audit_log_index_refused"]
    assert line["log_level"] == "error"
    assert line["problems"] == [
        "no index on (program_id -1, at -1, _id -1): create it with the deployment's job"
    ]
    # a collection that does not exist yet lists no index
    with pytest.raises(AuditIndexRefused, match="no index on"):
        await audit_log_listing().check_indexes()


@pytest.mark.parametrize(
    "index",
    [
        {"v": 2, "key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 86400},
        {**TRAIL_INDEX, "expireAfterSeconds": 0},
    ],
)
async def test_the_start_is_refused_when_an_index_would_expire_records(
    index: dict[str, Any],
) -> None:
    with pytest.raises(AuditIndexRefused, match="expireAfterSeconds") as refused:
        await audit_log_listing(ID_INDEX, TRAIL_INDEX, index).check_indexes()
    assert f"index {index['name']!r} deletes records after" in str(refused.value)


def test_an_index_on_other_fields_or_in_another_order_is_not_the_trails() -> None:
    for key in ({"program_id": 1, "at": 1, "_id": 1}, {"at": -1, "program_id": -1, "_id": -1}):
        problems = index_problems([ID_INDEX, {**TRAIL_INDEX, "key": key}])
        assert problems == [
            "no index on (program_id -1, at -1, _id -1): create it with the deployment's job"
        ]
