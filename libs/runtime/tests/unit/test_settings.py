import pytest

from mentorship_runtime.settings import ConfigurationError, ServiceSettings, load_settings


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


@pytest.mark.parametrize(("value", "accepted"), [("1", 1), ("4", 4), ("0", None), ("x", None)])
def test_consumer_concurrency_is_a_small_positive_count(
    monkeypatch: pytest.MonkeyPatch, value: str, accepted: int | None
) -> None:
    monkeypatch.setenv("SERVICE_NAME", "notify")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017/")
    monkeypatch.setenv("MONGODB_DATABASE", "notify")
    monkeypatch.setenv("CONSUMER_CONCURRENCY", value)

    if accepted is None:
        with pytest.raises(ConfigurationError, match="CONSUMER_CONCURRENCY"):
            load_settings(ServiceSettings)
    else:
        assert load_settings(ServiceSettings).consumer_concurrency == accepted
