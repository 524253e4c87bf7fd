"""Pytest fixtures for the platform's integration tests.

``endpoints`` is session-wide; every test that asks for ``topic_prefix`` or ``mongo_db`` gets names
of its own, so tests can run in parallel and leave nothing behind.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_localstack import Endpoints, LocalStack, postgresql
from mentorship_runtime.mongo import Document, make_mongo_client
from mentorship_testing import plans
from mentorship_testing.infrastructure import infrastructure
from mentorship_testing.kafka import delete_topics
from mentorship_testing.plans import QueryRecorder


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    with infrastructure() as found:
        yield found


@pytest.fixture(scope="session")
def kafka_bootstrap(endpoints: Endpoints) -> str:
    return endpoints.kafka_bootstrap_servers


@pytest.fixture(scope="session")
def mongo_url(endpoints: Endpoints) -> str:
    port = LocalStack().storage_port(endpoints.mongodb_url)
    if port is not None:  # the local FerretDB on PostgreSQL: query-plan tests refresh statistics
        plans.analyzer = functools.partial(postgresql.analyze, port)
    return endpoints.mongodb_url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def mongo_client(mongo_url: str) -> AsyncIterator[AsyncMongoClient[Document]]:
    client = make_mongo_client(mongo_url, app_name="tests")
    yield client
    await client.close()


@pytest_asyncio.fixture(loop_scope="session")
async def mongo_db(
    mongo_client: AsyncMongoClient[Document],
) -> AsyncIterator[AsyncDatabase[Document]]:
    """A database of this test's own, dropped afterwards."""
    name = unique_name("t_")
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest_asyncio.fixture(loop_scope="session")
async def recorded_db(
    mongo_url: str,
) -> AsyncIterator[tuple[AsyncDatabase[Document], QueryRecorder]]:
    """A database of this test's own, on a client that records the filters sent to it
    (``mentorship_testing.plans``); dropped afterwards."""
    name = unique_name("t_")
    recorder = QueryRecorder(name)
    client = make_mongo_client(mongo_url, app_name="tests-plans", event_listeners=[recorder])
    try:
        yield client[name], recorder
        await client.drop_database(name)
    finally:
        await client.close()


@pytest_asyncio.fixture(loop_scope="session")
async def topic_prefix(kafka_bootstrap: str) -> AsyncIterator[str]:
    """A prefix of this test's own for topic names; its topics are deleted afterwards."""
    prefix = unique_name("t") + "."
    yield prefix
    await delete_topics(kafka_bootstrap, prefix)
