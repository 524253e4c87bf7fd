"""Configuration from the environment: one ``Settings`` class per service, built on this base."""

from __future__ import annotations

import sys
from typing import Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

Profile = Literal["dev", "test", "prod"]
Role = Literal["api", "worker", "all"]


class ServiceSettings(BaseSettings):
    """What every service needs. Infrastructure addresses have no default: a service fails fast."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = Field(min_length=1)
    profile: Profile = "dev"
    role: Role = Field(default="all", description="api: HTTP only; worker: consumers; all: both")
    kafka_bootstrap_servers: str = Field(min_length=1)
    kafka_topic_prefix: str = Field(default="", description="isolates environments or test runs")
    mongodb_url: str = Field(min_length=1)
    mongodb_database: str = Field(min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    consumer_max_attempts: int = Field(default=5, ge=1, le=50)
    consumer_retry_base_seconds: float = Field(default=0.2, gt=0, le=60)

    @property
    def runs_api(self) -> bool:
        return self.role in ("api", "all")

    @property
    def runs_worker(self) -> bool:
        return self.role in ("worker", "all")


S = TypeVar("S", bound=BaseSettings)


class ConfigurationError(RuntimeError):
    pass


def load_settings(cls: type[S]) -> S:
    """Build the settings, or stop with one line per missing or invalid variable."""
    try:
        return cls()
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False):
            variable = "_".join(str(part) for part in error["loc"]).upper()
            lines.append(f"  {variable}: {error['msg']}")
        message = f"{cls.__name__}: invalid configuration\n" + "\n".join(lines)
        raise ConfigurationError(message) from None


def load_settings_or_exit(cls: type[S]) -> S:
    try:
        return load_settings(cls)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
