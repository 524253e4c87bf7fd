"""Find the Kafka broker and MongoDB server the tests run against, in this order:

1. ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URL`` from the environment;
2. Docker, through testcontainers, when a Docker engine answers;
3. the local stack of ``deploy/local`` (the same processes as ``make dev``).

Containers are created only when the session asks for the infrastructure, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mentorship_localstack import Endpoints, LocalStack
from mentorship_localstack.stack import external_endpoints


def docker_answers() -> bool:
    if os.environ.get("MENTORSHIP_NO_DOCKER"):
        return False
    try:
        import docker  # type: ignore[import-untyped]  # noqa: PLC0415 - only when looking
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:
        return False
    return True


@contextmanager
def _containers() -> Iterator[Endpoints]:
    from testcontainers.kafka import KafkaContainer  # noqa: PLC0415
    from testcontainers.mongodb import MongoDbContainer  # noqa: PLC0415

    kafka: Any = KafkaContainer("apache/kafka:4.1.1").with_kraft()
    mongo: Any = MongoDbContainer("mongo:8.0")
    with kafka, mongo:
        yield Endpoints(kafka.get_bootstrap_server(), mongo.get_connection_url(), True)


@contextmanager
def _local_stack(keep: bool) -> Iterator[Endpoints]:
    stack = LocalStack()
    endpoints = stack.up()
    try:
        yield endpoints
    finally:
        if endpoints.started_here and not keep:
            stack.down()


@contextmanager
def infrastructure(*, docker_available: Callable[[], bool] = docker_answers) -> Iterator[Endpoints]:
    external = external_endpoints()
    if external is not None:
        yield external
        return
    if docker_available():
        with _containers() as endpoints:
            yield endpoints
        return
    keep = os.environ.get("MENTORSHIP_KEEP_STACK", "") not in ("", "0")
    with _local_stack(keep) as endpoints:
        yield endpoints
