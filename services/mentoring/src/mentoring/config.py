"""The mentoring service's settings, from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mentorship_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "mentoring"
    mongodb_database: str = "mentoring"
    http_port: int = Field(default=8101, ge=1, le=65535)
    expiry_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
    reconcile_seconds: float = Field(default=60.0, gt=0, le=86400)
    audit_log_index: Literal["create", "check"] = Field(
        default="create",
        description="create: the audit trail's index is created at start; check: a deployment "
        "Job creates it (python -m mentoring.entrypoints.audit_index, as another database "
        "user), and the start fails unless it is there and no index of audit_log expires "
        "records",
    )


class AuditIndexSettings(BaseSettings):
    """The audit index Job's settings: only where the database is (as a user allowed to create
    the index, which mentoring's own user is not in production)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    mongodb_url: str = Field(min_length=1)
    mongodb_database: str = Field(default="mentoring", min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
