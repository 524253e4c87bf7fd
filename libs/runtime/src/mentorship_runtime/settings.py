"""Configuration from the environment: one ``Settings`` class per service, built on this base."""

from __future__ import annotations

import sys
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mentorship_runtime.auth import (
    ROLES_CLAIM_MAX_LENGTH,
    ROLES_CLAIM_PATTERN,
    TokenSettings,
)
from mentorship_runtime.kafka_security import KafkaSecurity, SaslMechanism, SecurityProtocol

DEV_JWT_SECRET = "dev-only-secret-not-for-production-use"  # noqa: S105 - the dev profile's own

Profile = Literal["dev", "test", "prod"]
Role = Literal["api", "worker", "all"]


class TokenKeys(BaseSettings):
    """How tokens are verified, the same for every service and the gateway: HS256 with a shared
    secret in dev and tests (the dev profile has a default one), RS256 from a JWKS URL in prod."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    profile: Profile = "dev"
    jwt_issuer: str = "mentorship-dev"
    jwt_audience: str = "mentorship"
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key; dev and tests")
    jwt_jwks_url: str | None = Field(default=None, description="RS256 keys, for production")
    jwt_roles_claim: str = Field(
        default="roles",
        pattern=ROLES_CLAIM_PATTERN,
        max_length=ROLES_CLAIM_MAX_LENGTH,
        description="the claim that holds a user's roles, or a dotted path to it in nested "
        "claims (Keycloak: realm_access.roles); the same for the gateway and every service",
    )

    @model_validator(mode="after")
    def _token_keys(self) -> TokenKeys:
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
            roles_claim=self.jwt_roles_claim,
        )


class KafkaClientSettings(BaseSettings):
    """How the process connects to Kafka, the same for every service and the gateway:
    ``PLAINTEXT`` on the local stack, ``SASL_SSL`` (SCRAM-SHA-512, the password from a Secret,
    the cluster's CA from a mounted file) in production. Refused at start: an unknown protocol or
    mechanism, a SASL protocol without credentials, credentials or a CA file the protocol would
    not use."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = Field(default=None, min_length=1, max_length=200)
    kafka_sasl_password: SecretStr | None = Field(default=None, description="from a Secret")
    kafka_ssl_cafile: str | None = Field(
        default=None,
        min_length=1,
        description="PEM file of the CA that signed the brokers' certificates (Strimzi: the "
        "cluster CA's ca.crt); unset: the system's CAs",
    )

    @model_validator(mode="after")
    def _kafka_security(self) -> KafkaClientSettings:
        self.kafka_security()  # raises ValueError: pydantic reports it as a validation error
        return self

    def kafka_security(self) -> KafkaSecurity:
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password.get_secret_value()
            if self.kafka_sasl_password
            else None,
            cafile=self.kafka_ssl_cafile,
        )


class ServiceSettings(TokenKeys, KafkaClientSettings):
    """What every service needs. Infrastructure addresses have no default: a service fails fast."""

    service_name: str = Field(min_length=1)
    role: Role = Field(default="all", description="api: HTTP only; worker: consumers; all: both")
    kafka_bootstrap_servers: str = Field(min_length=1)
    kafka_topic_prefix: str = Field(default="", description="isolates environments or test runs")
    kafka_create_topics: bool = Field(
        default=True,
        description="create missing platform topics at start-up; off where an operator owns "
        "them (Strimzi KafkaTopics)",
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, le=5, description="replicas of the topics this service creates"
    )
    kafka_group_instance_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="this process's stable name in its consumer groups (static membership): "
        "restarted under the same name, it takes its partitions back at once, without a "
        "rebalance; unique among the running processes of a service (make dev: the service's "
        "name; Kubernetes: the pod's); unset: dynamic membership",
    )
    mongodb_url: str = Field(min_length=1)
    mongodb_database: str = Field(min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    consumer_max_attempts: int = Field(default=5, ge=1, le=50)
    consumer_retry_base_seconds: float = Field(default=0.2, gt=0, le=60)
    consumer_concurrency: int = Field(
        default=1,
        ge=1,
        le=32,
        description="Kafka consumers per subscription in this process, each with partitions of "
        "its own: events of one key stay in order, events of different partitions run at once",
    )
    consumer_batch_size: int = Field(
        default=200,
        ge=1,
        le=2000,
        description="records read per poll by the subscriptions that handle events in batches "
        "(one bulk write for many events); 1 handles them one at a time, with "
        "CONSUMER_CONCURRENCY",
    )

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
