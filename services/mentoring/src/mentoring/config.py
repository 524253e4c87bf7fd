"""The mentoring service's settings, from the environment."""

from __future__ import annotations

from pydantic import Field

from mentorship_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "mentoring"
    mongodb_database: str = "mentoring"
    http_port: int = Field(default=8101, ge=1, le=65535)
    expiry_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
    reconcile_seconds: float = Field(default=60.0, gt=0, le=86400)
