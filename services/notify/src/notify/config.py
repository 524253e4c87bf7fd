"""The notify service's settings, from the environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from mentorship_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "notify"
    mongodb_database: str = "notify"
    http_port: int = Field(default=8103, ge=1, le=65535)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
    consumer_group: str = Field(
        default="notify", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$"
    )

    # e-mail over SMTP
    smtp_host: str = Field(default="localhost", min_length=1)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none (local relay), starttls (usually 587), tls (465)"
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = Field(default="notify@mentorship.local", min_length=3, max_length=254)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # webhooks
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # the delivery worker
    delivery_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    delivery_concurrency: int = Field(default=16, ge=1, le=512)
    delivery_batch: int = Field(default=500, ge=1, le=100_000)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_retry_base_seconds: float = Field(default=30.0, gt=0, le=86_400)
    delivery_retry_cap_seconds: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    delivery_lease_seconds: float = Field(
        default=20.0,
        ge=1,
        le=3600,
        description="how long a worker's claim on a delivery lasts unless renewed: the worker "
        "renews it every third of it while it sends, so the deliveries of a worker that died "
        "are taken again this long after its death (those ready when planned at the next poll, "
        "the others at the next thorough round, every 10th)",
    )

    # session-rating reminders
    rating_reminder_days: float = Field(default=2.0, gt=0, le=60)
    reminder_poll_seconds: float = Field(default=60.0, gt=0, le=86_400)

    # the mentors' weekly digest, sent after each ISO week at this moment on each mentor's clock
    weekly_digest_weekday: int = Field(
        default=1, ge=1, le=7, description="1 (Monday) to 7 (Sunday) of the week after"
    )
    weekly_digest_time: str = Field(
        default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour"
    )
