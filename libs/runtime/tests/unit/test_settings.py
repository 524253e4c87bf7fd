import pytest
from pydantic import ValidationError

from mentorship_runtime.settings import (
    ConfigurationError,
    ServiceSettings,
    TokenKeys,
    load_settings,
)


def test_missing_infrastructure_addresses_stop_the_start_naming_each_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL", "MONGODB_DATABASE", "SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(ConfigurationError) as raised:
        load_settings(ServiceSettings)

    message = str(raised.value)
    assert "KAFKA_BOOTSTRAP_SERVERS" in message
    assert "MONGODB_URL" in message
    assert "MONGODB_DATABASE" in message


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "progress")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017/")
    monkeypatch.setenv("MONGODB_DATABASE", "progress")
    monkeypatch.setenv("ROLE", "worker")

    settings = load_settings(ServiceSettings)

    assert settings.runs_worker
    assert not settings.runs_api


def test_an_invalid_role_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_NAME", "progress")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017/")
    monkeypatch.setenv("MONGODB_DATABASE", "progress")
    monkeypatch.setenv("ROLE", "everything")

    with pytest.raises(ConfigurationError, match="ROLE"):
        load_settings(ServiceSettings)


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("CONSUMER_CONCURRENCY", "1", 1),
        ("CONSUMER_CONCURRENCY", "4", 4),
        ("CONSUMER_CONCURRENCY", "0", None),
        ("CONSUMER_CONCURRENCY", "x", None),
        ("CONSUMER_BATCH_SIZE", "1", 1),
        ("CONSUMER_BATCH_SIZE", "500", 500),
        ("CONSUMER_BATCH_SIZE", "0", None),
        ("CONSUMER_BATCH_SIZE", "100000", None),
    ],
)
def test_consumer_concurrency_and_batch_size_are_bounded_positive_counts(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, accepted: int | None
) -> None:
    monkeypatch.setenv("SERVICE_NAME", "notify")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017/")
    monkeypatch.setenv("MONGODB_DATABASE", "notify")
    monkeypatch.setenv(name, value)

    if accepted is None:
        with pytest.raises(ConfigurationError, match=name):
            load_settings(ServiceSettings)
    else:
        assert getattr(load_settings(ServiceSettings), name.lower()) == accepted


def test_the_roles_claim_comes_from_the_environment_and_must_name_a_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_ROLES_CLAIM", "realm_access.roles")
    assert TokenKeys().token_settings().roles_claim == "realm_access.roles"
    assert TokenKeys(jwt_roles_claim="roles").token_settings().roles_claim == "roles"

    for wrong in ("realm_access..roles", "roles claim", "x" * 201):
        monkeypatch.setenv("JWT_ROLES_CLAIM", wrong)
        with pytest.raises(ValidationError, match="jwt_roles_claim"):
            TokenKeys()
