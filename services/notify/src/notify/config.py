"""The notify service's settings, from the environment."""

from __future__ import annotations

from pydantic import Field

from mentorship_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "notify"
    mongodb_database: str = "notify"
    http_port: int = Field(default=8103, ge=1, le=65535)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
