"""The gateway's notification feed connects to Kafka as the settings say (SASL over TLS in
production), and an unreadable CA file stops the gateway when it is made, not in a retry loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.live import NotificationFeed, NotificationHub
from mentorship_runtime.kafka_security import UnreadableCaFile

from .conftest import settings


def test_the_feed_authenticates_as_the_gateway_user() -> None:
    configured = settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="kafka-gateway",
        kafka_sasl_password="s3cret",
    )

    feed = NotificationFeed(
        NotificationHub(),
        bootstrap="kafka:9093",
        topic_prefix="",
        instance_id="a",
        security=configured.kafka_security(),
    )

    assert feed.client_options["security_protocol"] == "SASL_SSL"
    assert feed.client_options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert feed.client_options["sasl_plain_username"] == "kafka-gateway"
    assert feed.client_options["sasl_plain_password"] == "s3cret"
    assert feed.client_options["ssl_context"] is not None


def test_the_local_stack_feed_connects_in_plain_text() -> None:
    feed = NotificationFeed(
        NotificationHub(),
        bootstrap="127.0.0.1:9092",
        topic_prefix="",
        instance_id="a",
        security=settings().kafka_security(),
    )

    assert feed.client_options == {"security_protocol": "PLAINTEXT"}


def test_an_unreadable_ca_file_stops_the_gateway_at_start(tmp_path: Path) -> None:
    configured = settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="kafka-gateway",
        kafka_sasl_password="s3cret",
        kafka_ssl_cafile=str(tmp_path / "missing.crt"),
    )

    with pytest.raises(UnreadableCaFile, match=r"missing\.crt"):
        create_app(configured)


def test_a_sasl_protocol_without_a_password_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a SASL user name and password"):
        settings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="kafka-gateway")
