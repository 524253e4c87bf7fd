"""The operator's commands reach a cluster that authenticates (SASL SCRAM-SHA-512, as production
does) with the variables the services use, and say clearly what is wrong when they cannot."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaProducer

from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_testing.sasl_kafka import ADMIN, SaslUser, sasl_broker

from .conftest import Cli, no_traceback

PROGRESS = topic_name(Topic.PROGRESS_EVENTS, "")
PARKED = dead_letter_topic(PROGRESS, "notify")
OPERATOR = SaslUser("kafka-operator", "operator-pw-7f3a")
ACCESS = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "KAFKA_SASL_USERNAME": OPERATOR.name,
    "KAFKA_SASL_PASSWORD": OPERATOR.password,
}


@pytest.fixture(scope="module")
def secured(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker that knows the operator's user, with progress's topic and a dead-letter topic
    of it. ``kafka_bootstrap``: the local stack, whose Kafka jars the broker runs from."""
    del kafka_bootstrap
    operator = SaslUser(
        OPERATOR.name,
        OPERATOR.password,
        grants=(
            f"TOPIC:{PROGRESS}:DESCRIBE",
            f"TOPIC:{PROGRESS}:READ",
            f"TOPIC:{PARKED}:DESCRIBE",
            f"TOPIC:{PARKED}:READ",
        ),
    )
    directory = tmp_path_factory.mktemp("cli-sasl-kafka")
    with sasl_broker(directory, [operator], {PROGRESS: 1, PARKED: 1}) as bootstrap:
        yield bootstrap


async def test_with_an_operators_credentials_topics_and_dead_letters_are_read(
    cli: Cli, secured: str
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=secured, **ADMIN.client_options())
    await producer.start()
    try:
        for n in range(2):
            await producer.send_and_wait(PROGRESS, b"{}", key=f"k-{n}".encode())
    finally:
        await producer.stop()

    topics = await cli("topics", "-b", secured, "-p", "", "--json", env=ACCESS)
    parked = await cli("dlq", "list", "-b", secured, "-p", "", env=ACCESS)

    assert topics.exit_code == 0, topics.output
    states = {s["topic"]: s for s in json.loads(topics.stdout)}
    assert states[PROGRESS]["exists"] is True
    assert states[PROGRESS]["messages"] == 2
    assert states[PARKED]["partitions"] == 1
    assert parked.exit_code == 0, parked.output
    assert "No dead letters." in parked.output


async def test_without_credentials_the_command_says_it_cannot_reach_kafka(
    cli: Cli, secured: str
) -> None:
    result = await cli("topics", "-b", secured, "-p", "")

    assert result.exit_code == 1
    assert f"cannot reach Kafka at {secured}" in result.stderr
    no_traceback(result)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "needs a SASL user name and password"),
        ({"KAFKA_SECURITY_PROTOCOL": "KERBEROS"}, "KAFKA_SECURITY_PROTOCOL"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": "/nowhere/ca.crt"},
            "KAFKA_SSL_CAFILE /nowhere/ca.crt",
        ),
    ],
)
async def test_a_wrong_kafka_access_is_named_before_anything_is_asked(
    cli: Cli, env: dict[str, str], named: str
) -> None:
    result = await cli("topics", "-b", "127.0.0.1:9", "-p", "", env=env)

    assert result.exit_code == 1
    assert named in result.stderr
    no_traceback(result)
