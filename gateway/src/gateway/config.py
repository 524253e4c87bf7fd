"""The gateway's settings, from the environment (the same names as the services' settings)."""

from __future__ import annotations

import socket
import uuid
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from mentorship_runtime.settings import KafkaClientSettings, TokenKeys

ServiceName = Literal["mentoring", "progress", "notify"]
SERVICES: tuple[ServiceName, ...] = ("mentoring", "progress", "notify")


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class Settings(TokenKeys, KafkaClientSettings):
    """Service URLs and Kafka have no default outside dev: the gateway fails fast without them."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "gateway"
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
    subscription_queue_size: int = Field(default=1000, ge=1, le=10_000)
    subscriptions_per_connection: int = Field(default=10, ge=1, le=100)

    max_query_depth: int = Field(default=10, ge=2, le=50)
    max_query_tokens: int = Field(default=2_000, ge=50, le=100_000)
    max_aliases: int = Field(default=30, ge=0, le=1_000)
    max_query_fields: int = Field(
        default=1_000, ge=10, le=100_000, description="fields once every fragment is expanded"
    )
    max_query_cost: int = Field(
        default=10_000, ge=1, le=10_000_000, description="points one request may cost"
    )
    cost_points_per_minute: int = Field(
        default=60_000,
        ge=0,
        le=100_000_000,
        description="points a client (a user, or an address when anonymous) may spend per "
        "minute on this instance; 0 turns the budget off",
    )
    max_page_size: int = Field(default=100, ge=1, le=100)
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, le=100_000_000)
    max_upload_bytes: int = Field(
        default=20_000_000,
        ge=1_000,
        le=1_000_000_000,
        description="a multipart request (a CSV import) may be this large; it is spooled to disk",
    )
    import_timeout_seconds: float = Field(
        default=900.0, gt=0, le=3600, description="an import of a whole file may take this long"
    )
    dataloaders: bool = Field(
        default=True,
        description="benchmarking and diagnostics only: off (DATALOADERS=false), every item is "
        "fetched by a call of its own, unbatched and uncached, to measure what batching saves",
    )

    oidc_client_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="the web app's client id at the identity provider (a public client): set, "
        "the app signs people in with OpenID Connect against JWT_ISSUER (GET /auth/config)",
    )
    oidc_scope: str = Field(
        default="openid profile email",
        max_length=1_000,
        pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$",
        description="the scopes the web app asks for, separated by spaces; openid among them",
    )

    @model_validator(mode="after")
    def _sign_in(self) -> Self:
        if "openid" not in self.oidc_scope.split(" "):
            msg = "OIDC_SCOPE must include openid"
            raise ValueError(msg)
        if self.oidc_client_id is None:
            return self
        if self.jwt_jwks_url is None:
            msg = "OIDC_CLIENT_ID needs JWT_JWKS_URL: the identity provider's tokens are RS256"
            raise ValueError(msg)
        issuer = urlsplit(self.jwt_issuer)
        loopback = issuer.hostname in ("localhost", "127.0.0.1", "::1")
        if not issuer.hostname or not (
            issuer.scheme == "https" or (issuer.scheme == "http" and loopback)
        ):
            msg = (
                "with OIDC_CLIENT_ID, JWT_ISSUER is the identity provider's https URL (the web "
                "app finds its endpoints under it); plain http only on this machine"
            )
            raise ValueError(msg)
        return self

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
