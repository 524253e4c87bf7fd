"""Structured JSON logs. What ``bound_event`` binds appears on every line logged inside it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.contextvars import bind_contextvars, reset_contextvars

from mentorship_contracts import Envelope


class _StdoutLogger:
    """Writes each line to whatever ``sys.stdout`` is at that moment (never a stale handle, e.g.
    one a test runner has closed since the logger was first used)."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stdout, flush=True)

    log = debug = info = warning = warn = error = err = critical = exception = fatal = msg


def _stdout_logger(*_: Any) -> _StdoutLogger:
    return _StdoutLogger()


def configure_logging(service: str, level: str = "INFO") -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        structlog.processors.JSONRenderer(),
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_stdout_logger,
        cache_logger_on_first_use=True,
    )
    bind_contextvars(service=service)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


@contextmanager
def bound_event(envelope: Envelope[Any]) -> Iterator[None]:
    tokens = bind_contextvars(
        event_id=str(envelope.event_id),
        event_type=envelope.type,
        correlation_id=envelope.correlation_id,
    )
    try:
        yield
    finally:
        reset_contextvars(**tokens)
