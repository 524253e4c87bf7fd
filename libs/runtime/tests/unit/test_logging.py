import json

import pytest

from mentorship_contracts import new_envelope
from mentorship_contracts.events import ModuleCompleted
from mentorship_runtime.logging import bound_event, configure_logging, get_logger


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
