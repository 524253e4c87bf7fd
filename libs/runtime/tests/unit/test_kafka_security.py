"""Kafka security settings: what each protocol asks of the environment, and what the FastStream
broker and the aiokafka clients are given."""

from __future__ import annotations

import datetime as dt
import functools
import re
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.kafka import KafkaBroker

from mentorship_runtime.kafka import make_broker
from mentorship_runtime.kafka_security import KafkaSecurity, UnreadableCaFile
from mentorship_runtime.settings import ConfigurationError, ServiceSettings, load_settings

BASE = {
    "SERVICE_NAME": "progress",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
    "MONGODB_URL": "mongodb://127.0.0.1:27017/",
    "MONGODB_DATABASE": "progress",
}


def _client_keywords(broker: KafkaBroker) -> dict[str, Any]:
    """What the broker passes to every aiokafka client it builds."""
    builder = broker.config.broker_config.builder
    assert isinstance(builder, functools.partial)
    return dict(builder.keywords)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in BASE.items():
        monkeypatch.setenv(name, value)
    for name in (
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_CAFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    """A self-signed CA certificate, as Strimzi's cluster CA secret holds one (ca.crt)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test cluster CA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "ca.crt"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_the_local_stack_connects_in_plain_text_by_default(
    environment: pytest.MonkeyPatch,
) -> None:
    security = load_settings(ServiceSettings).kafka_security()

    assert security.client_options() == {"security_protocol": "PLAINTEXT"}
    assert security.faststream_security() is None
    broker = make_broker("127.0.0.1:9092", client_id="progress", security=security)
    keywords = _client_keywords(broker)
    assert keywords.get("security_protocol", "PLAINTEXT") == "PLAINTEXT"  # aiokafka's default
    assert "sasl_mechanism" not in keywords


def test_production_authenticates_with_scram_over_tls_trusting_the_cluster_ca(
    environment: pytest.MonkeyPatch, ca_file: Path
) -> None:
    environment.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    environment.setenv("KAFKA_SASL_USERNAME", "progress")
    environment.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    environment.setenv("KAFKA_SSL_CAFILE", str(ca_file))

    settings = load_settings(ServiceSettings)
    options = settings.kafka_security().client_options()

    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "progress"
    assert options["sasl_plain_password"] == "s3cret"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "test cluster CA"),),)
    ]
    # the FastStream broker hands the same to the consumers and producer it builds
    broker = make_broker("kafka:9093", client_id="progress", security=settings.kafka_security())
    keywords = _client_keywords(broker)
    assert keywords["security_protocol"] == "SASL_SSL"
    assert keywords["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (keywords["sasl_plain_username"], keywords["sasl_plain_password"]) == (
        "progress",
        "s3cret",
    )
    assert isinstance(keywords["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(settings) + repr(settings.kafka_security())


@pytest.mark.parametrize(
    ("protocol", "mechanism"),
    [("SASL_PLAINTEXT", "PLAIN"), ("SASL_PLAINTEXT", "SCRAM-SHA-256"), ("SASL_SSL", "PLAIN")],
)
def test_each_mechanism_reaches_the_broker(protocol: str, mechanism: str) -> None:
    security = KafkaSecurity(protocol, mechanism, username="u", password="p")  # type: ignore[arg-type]

    broker = make_broker("kafka:9093", client_id="c", security=security)
    keywords = _client_keywords(broker)

    assert keywords["security_protocol"] == protocol
    assert keywords["sasl_mechanism"] == mechanism
    assert (keywords["ssl_context"] is not None) == (protocol == "SASL_SSL")


def test_tls_without_sasl_trusts_the_system_cas_when_no_file_is_named() -> None:
    security = KafkaSecurity("SSL")

    options = security.client_options()

    assert options["security_protocol"] == "SSL"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert "sasl_mechanism" not in options
    broker = make_broker("kafka:9093", client_id="c", security=security)
    assert _client_keywords(broker)["security_protocol"] == "SSL"


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_TLS"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_SECURITY_PROTOCOL": "plaintext"}, "KAFKA_SECURITY_PROTOCOL"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "progress"},
            "needs a SASL user name and password",
        ),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_PASSWORD": "s3cret"},
            "needs a SASL user name and password",
        ),
        (
            {
                "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "KAFKA_SASL_MECHANISM": "GSSAPI",
                "KAFKA_SASL_USERNAME": "progress",
                "KAFKA_SASL_PASSWORD": "s3cret",
            },
            "KAFKA_SASL_MECHANISM",
        ),
        (
            {"KAFKA_SASL_USERNAME": "progress", "KAFKA_SASL_PASSWORD": "s3cret"},
            "set for nothing",
        ),
        ({"KAFKA_SSL_CAFILE": "/etc/kafka-ca/ca.crt"}, "uses no TLS"),
    ],
)
def test_an_unknown_protocol_or_missing_or_useless_credentials_stop_the_start(
    environment: pytest.MonkeyPatch, variables: dict[str, str], complaint: str
) -> None:
    for name, value in variables.items():
        environment.setenv(name, value)

    with pytest.raises(ConfigurationError, match=complaint):
        load_settings(ServiceSettings)


@pytest.mark.parametrize("content", [None, b"not a certificate"])
def test_a_missing_or_unreadable_ca_file_stops_the_start_naming_it(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "ca.crt"
    if content is not None:
        path.write_bytes(content)
    security = KafkaSecurity("SASL_SSL", username="u", password="p", cafile=str(path))

    with pytest.raises(UnreadableCaFile, match=re.escape(str(path))):
        make_broker("kafka:9093", client_id="c", security=security)
