"""How the command's Kafka clients connect: from the same variables as the services
(``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ``KAFKA_SASL_USERNAME``,
``KAFKA_SASL_PASSWORD``, ``KAFKA_SSL_CAFILE``), ``PLAINTEXT`` when none is set (the local stack).
An operator of a production cluster sets them to an operator's user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from mentorship_runtime.kafka_security import UnreadableCaFile
from mentorship_runtime.settings import ConfigurationError, KafkaClientSettings, load_settings


class KafkaAccessError(Exception):
    """The variables that say how to connect to Kafka are wrong (the message says which)."""


def client_options() -> dict[str, Any]:
    """Keyword arguments for every aiokafka client the command makes."""
    try:
        return load_settings(KafkaClientSettings).kafka_security().client_options()
    except (ConfigurationError, UnreadableCaFile) as exc:
        raise KafkaAccessError(str(exc)) from None


class KafkaClients:
    """An admin client and a group-less consumer, opened and closed together: what the
    commands read topics, partitions and offsets with. A broker out of reach raises
    ``unreachable`` (the error the subclass's commands report), naming the address."""

    unreachable: ClassVar[type[Exception]] = KafkaAccessError

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        access = client_options()
        self.admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=15_000, **access
        )
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=15_000,
            **access,
        )

    async def __aenter__(self) -> Self:
        try:
            await self.admin.start()
            await self.consumer.start()
        except KafkaError as exc:
            await self.close()
            msg = f"cannot reach Kafka at {self.bootstrap}: {exc}"
            raise self.unreachable(msg) from None
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def topics(self) -> set[str]:
        return {str(name) for name in await self.admin.list_topics()}

    async def bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        """The first and the next offset of each partition."""
        if not partitions:
            return {}, {}
        begin = await self.consumer.beginning_offsets(list(partitions))
        end = await self.consumer.end_offsets(list(partitions))
        return (
            {tp: int(o) for tp, o in begin.items()},
            {tp: int(o) for tp, o in end.items()},
        )
