import json
from datetime import UTC, datetime

import pytest
import structlog

from mentorship_contracts import new_envelope
from mentorship_contracts.events import ModuleCompleted
from mentorship_runtime.consumer import EventConsumer
from mentorship_runtime.logging import bound_event, configure_logging, get_logger
from mentorship_runtime.service_app import connect
from mentorship_runtime.settings import ServiceSettings


def test_lines_logged_while_handling_an_event_carry_its_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("progress")
    event = new_envelope(
        ModuleCompleted(mentee_id="e-1", program_id="p-1", module_id="purpose"),
        producer="progress",
        correlation_id="flow-9",
    )
    log = get_logger("test")

    with bound_event(event):
        log.info("handling")
    log.info("after")

    inside, after = (json.loads(line) for line in capsys.readouterr().out.splitlines()[-2:])
    assert inside["event_id"] == str(event.event_id)
    assert inside["correlation_id"] == "flow-9"
    assert inside["event_type"] == "progress.module.completed"
    assert inside["service"] == "progress"
    assert "event_id" not in after


def test_a_service_consumer_logs_json_at_the_configured_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The consumer binds its logger when the service is wired; logging is configured first, so
    its lines are JSON and its debug lines are filtered out (a worker once logged every event
    in structlog's default console format)."""
    structlog.reset_defaults()
    settings = ServiceSettings(
        service_name="notify",
        kafka_bootstrap_servers="127.0.0.1:1",
        mongodb_url="mongodb://127.0.0.1:1/",
        mongodb_database="unused",
        log_level="INFO",
    )
    runtime = connect(settings, clock=lambda: datetime.now(UTC), description="")
    consumer = EventConsumer(runtime.broker, group_id="notify")
    consumer._log.debug("event_handled")
    consumer._log.warning("event_retry")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["event"] for line in lines] == ["event_retry"]
    assert lines[0]["group"] == "notify"
    assert lines[0]["service"] == "notify"
