"""The progress service's settings, from the environment."""

from __future__ import annotations

from pydantic import Field

from mentorship_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "progress"
    mongodb_database: str = "progress"
    http_port: int = Field(default=8102, ge=1, le=65535)
    stall_window_days: int = Field(default=14, ge=1, le=365)
    detection_seconds: float = Field(default=60.0, gt=0, le=86400)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
