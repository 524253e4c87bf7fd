"""A real Kafka broker that authenticates (SASL SCRAM-SHA-512) and authorizes (ACLs): a service
connects with its credentials from its settings, and is refused without them, with a wrong
password, or on a topic its ACLs do not name.

The broker is a second single-node KRaft broker of this test's own
(``mentorship_testing.sasl_kafka``); it is stopped when the module's tests end.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from mentorship_runtime.kafka import make_broker
from mentorship_runtime.kafka_security import KafkaSecurity
from mentorship_runtime.settings import ServiceSettings, load_settings
from mentorship_testing.sasl_kafka import SaslUser, sasl_broker

PROGRESS = SaslUser(
    "kafka-progress",
    "progress-pw-" + uuid.uuid4().hex[:8],
    grants=("TOPIC:progress.events:READ", "TOPIC:progress.events:WRITE", "GROUP:progress:READ"),
)
PROGRESS_PASSWORD = PROGRESS.password
OWN_TOPIC = "progress.events"
OTHER_TOPIC = "mentoring.matches"


@pytest.fixture(scope="module")
def sasl_bootstrap(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker on 127.0.0.1 that speaks SASL_PLAINTEXT with SCRAM-SHA-512, knows ``admin``
    (a super user) and ``kafka-progress``, which may write and read ``progress.events`` and use
    the group ``progress``, nothing else. ``kafka_bootstrap``: the local stack, whose Kafka jars
    this broker runs from."""
    del kafka_bootstrap
    directory = tmp_path_factory.mktemp("sasl-kafka")
    with sasl_broker(directory, [PROGRESS], {OWN_TOPIC: 1, OTHER_TOPIC: 1}) as bootstrap:
        yield bootstrap


def _progress_settings(
    monkeypatch: pytest.MonkeyPatch, bootstrap: str, password: str
) -> KafkaSecurity:
    for name, value in {
        "SERVICE_NAME": "progress",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MONGODB_URL": "mongodb://unused:27017/",
        "MONGODB_DATABASE": "progress",
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "kafka-progress",
        "KAFKA_SASL_PASSWORD": password,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KAFKA_SSL_CAFILE", raising=False)
    return load_settings(ServiceSettings).kafka_security()


async def test_a_service_publishes_and_reads_its_topic_with_its_credentials(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = _progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD)
    marker = uuid.uuid4().hex.encode()
    broker = make_broker(sasl_bootstrap, client_id="progress", security=security)
    await broker.connect()
    try:
        await broker.publish(marker, OWN_TOPIC, key=b"k")
    finally:
        await broker.stop()
    reader = AIOKafkaConsumer(
        bootstrap_servers=sasl_bootstrap,
        group_id="progress",
        enable_auto_commit=False,
        **security.client_options(),
    )
    await reader.start()
    try:
        partition = TopicPartition(OWN_TOPIC, 0)
        reader.assign([partition])
        await reader.seek_to_beginning(partition)
        values: list[bytes | None] = []
        deadline = time.monotonic() + 30
        while marker not in values and time.monotonic() < deadline:
            batch = await reader.getmany(partition, timeout_ms=500)
            values += [r.value for r in batch.get(partition, [])]
        assert marker in values
        await reader.commit()  # its consumer group is allowed too
    finally:
        await reader.stop()


async def test_a_topic_the_acls_do_not_name_is_refused(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = _progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD)
    broker = make_broker(
        sasl_bootstrap, client_id="progress", security=security, request_timeout_ms=5000
    )
    await broker.connect()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await broker.publish(b"not mine", OTHER_TOPIC, key=b"k")
    finally:
        await broker.stop()


@pytest.mark.parametrize("credentials", ["none", "wrong password"])
async def test_without_its_credentials_a_service_is_refused(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch, credentials: str
) -> None:
    security = (
        KafkaSecurity()
        if credentials == "none"
        else _progress_settings(monkeypatch, sasl_bootstrap, "not-the-password")
    )
    broker = make_broker(
        sasl_bootstrap, client_id="progress", security=security, request_timeout_ms=5000
    )
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        await asyncio.wait_for(broker.connect(), 60)
    await broker.stop()
    # the broker is there: the same service with its password connects at once
    allowed = make_broker(
        sasl_bootstrap,
        client_id="progress",
        security=_progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD),
    )
    await allowed.connect()
    await allowed.stop()
