"""A service creates the missing platform topics at start-up, unless an operator owns them."""

from datetime import UTC, datetime

from aiokafka.admin import AIOKafkaAdminClient

from mentorship_runtime.kafka import platform_topics
from mentorship_runtime.service_app import connect
from mentorship_runtime.settings import ServiceSettings


async def topics_under(bootstrap: str, prefix: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {t for t in await admin.list_topics() if t.startswith(prefix)}
    finally:
        await admin.close()


def settings(bootstrap: str, mongo_url: str, prefix: str, *, create: bool) -> ServiceSettings:
    return ServiceSettings(
        service_name="topics-test",
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        kafka_create_topics=create,
        mongodb_url=mongo_url,
        mongodb_database="unused",
        role="api",
    )


async def test_missing_topics_are_created_with_their_partitions(
    kafka_bootstrap: str, mongo_url: str, topic_prefix: str
) -> None:
    runtime = connect(
        settings(kafka_bootstrap, mongo_url, topic_prefix, create=True),
        lambda: datetime.now(UTC),
        "test",
    )
    await runtime.start()
    await runtime.stop()

    assert await topics_under(kafka_bootstrap, topic_prefix) == {
        name for name, _ in platform_topics(topic_prefix)
    }


async def test_no_topic_is_created_where_an_operator_owns_them(
    kafka_bootstrap: str, mongo_url: str, topic_prefix: str
) -> None:
    runtime = connect(
        settings(kafka_bootstrap, mongo_url, topic_prefix, create=False),
        lambda: datetime.now(UTC),
        "test",
    )
    await runtime.start()
    await runtime.stop()

    assert await topics_under(kafka_bootstrap, topic_prefix) == set()
