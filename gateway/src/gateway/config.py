"""The gateway's settings, from the environment (the same names as the services' settings)."""

from __future__ import annotations

import socket
import uuid
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mentorship_runtime.auth import TokenSettings
from mentorship_runtime.settings import DEV_JWT_SECRET, Profile

ServiceName = Literal["mentoring", "progress", "notify"]
SERVICES: tuple[ServiceName, ...] = ("mentoring", "progress", "notify")


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class Settings(BaseSettings):
    """Service URLs and Kafka have no default outside dev: the gateway fails fast without them."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "gateway"
    profile: Profile = "dev"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8100, ge=1, le=65535)

    mentoring_url: str = Field(min_length=1)
    progress_url: str = Field(min_length=1)
    notify_url: str = Field(min_length=1)
    service_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    service_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    service_max_connections: int = Field(default=100, ge=1, le=10_000)
    request_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    matching_timeout_seconds: float = Field(
        default=120.0, gt=0, le=1800, description="a whole-cohort matching run may take this long"
    )

    kafka_bootstrap_servers: str = Field(min_length=1)
    kafka_topic_prefix: str = Field(default="", description="isolates environments or test runs")
    instance_id: str = Field(
        default_factory=_instance_id,
        min_length=1,
        max_length=200,
        description="names this instance's own consumer group for live notifications",
    )
    subscription_queue_size: int = Field(default=100, ge=1, le=10_000)
    subscriptions_per_connection: int = Field(default=10, ge=1, le=100)

    max_query_depth: int = Field(default=10, ge=2, le=50)
    max_query_tokens: int = Field(default=2_000, ge=50, le=100_000)
    max_aliases: int = Field(default=30, ge=0, le=1_000)
    max_page_size: int = Field(default=100, ge=1, le=100)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, le=100_000_000)
    dataloaders: bool = Field(
        default=True,
        description="benchmarking and diagnostics only: off (DATALOADERS=false), every item is "
        "fetched by a call of its own, unbatched and uncached, to measure what batching saves",
    )

    jwt_issuer: str = "mentorship-dev"
    jwt_audience: str = "mentorship"
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key; dev and tests")
    jwt_jwks_url: str | None = Field(default=None, description="RS256 keys, for production")

    @model_validator(mode="after")
    def _token_keys(self) -> Settings:
        if self.jwt_secret is None and self.jwt_jwks_url is None:
            if self.profile != "dev":
                msg = "JWT_SECRET or JWT_JWKS_URL is required outside the dev profile"
                raise ValueError(msg)
            object.__setattr__(self, "jwt_secret", SecretStr(DEV_JWT_SECRET))
        if self.profile == "prod" and self.jwt_jwks_url is None:
            msg = "the prod profile verifies RS256 tokens: set JWT_JWKS_URL"
            raise ValueError(msg)
        return self

    def token_settings(self) -> TokenSettings:
        return TokenSettings(
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            secret=self.jwt_secret.get_secret_value()
            if self.jwt_secret and not self.jwt_jwks_url
            else None,
            jwks_url=self.jwt_jwks_url,
        )

    def service_url(self, name: ServiceName) -> str:
        urls: dict[ServiceName, str] = {
            "mentoring": self.mentoring_url,
            "progress": self.progress_url,
            "notify": self.notify_url,
        }
        return urls[name]

    @property
    def is_production(self) -> bool:
        return self.profile == "prod"
