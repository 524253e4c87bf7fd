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
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
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
