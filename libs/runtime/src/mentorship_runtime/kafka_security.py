"""How a process proves who it is to Kafka, and how it trusts the brokers.

One ``KafkaSecurity`` per process, from its settings (``KAFKA_SECURITY_PROTOCOL`` and the
``KAFKA_SASL_*``/``KAFKA_SSL_CAFILE`` variables), handed to every Kafka client it makes: the
FastStream broker (``faststream_security``) and the plain aiokafka clients (``client_options``:
the admin client, the gateway's feed, the lag reader). The local stack speaks ``PLAINTEXT``;
production (Strimzi) speaks ``SASL_SSL`` with SCRAM-SHA-512, each service and the gateway under a
user of its own, trusting the cluster's CA.

A protocol that names SASL needs a user name and a password; one that does not may not have them
(they would be silently unused). The CA file is read when the first client connects: a missing
file then fails the start (``UnreadableCaFile``, naming the path).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

_SASL_CLASSES: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


class UnreadableCaFile(RuntimeError):
    pass


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    """PEM file of the CA that signed the brokers' certificates; None: the system's CAs."""

    def __post_init__(self) -> None:
        if self.uses_sasl and not (self.username and self.password):
            msg = f"KAFKA_SECURITY_PROTOCOL={self.protocol} needs a SASL user name and password"
            raise ValueError(msg)
        if not self.uses_sasl and (self.username or self.password):
            msg = (
                f"KAFKA_SECURITY_PROTOCOL={self.protocol} sends no credentials: "
                "a SASL user name or password is set for nothing"
            )
            raise ValueError(msg)
        if not self.uses_ssl and self.cafile:
            msg = f"KAFKA_SECURITY_PROTOCOL={self.protocol} uses no TLS: a CA file set for nothing"
            raise ValueError(msg)

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    @property
    def uses_ssl(self) -> bool:
        return self.protocol.endswith("SSL")

    def ssl_context(self) -> ssl.SSLContext | None:
        """A context that checks the brokers' certificates and host names, or None without
        TLS. Reads the CA file now: a missing or unreadable one raises ``UnreadableCaFile``."""
        if not self.uses_ssl:
            return None
        try:
            context: ssl.SSLContext = create_ssl_context(cafile=self.cafile)
        except (OSError, ssl.SSLError) as exc:
            msg = f"KAFKA_SSL_CAFILE {self.cafile}: not a readable CA certificate ({exc})"
            raise UnreadableCaFile(msg) from exc
        return context

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's clients (consumer, producer, admin)."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_ssl:
            options["ssl_context"] = self.ssl_context()
        if self.uses_sasl:
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return options

    def faststream_security(self) -> BaseSecurity | None:
        """The same for a FastStream ``KafkaBroker`` (its ``security`` argument)."""
        if self.protocol == "PLAINTEXT":
            return None
        context = self.ssl_context()
        if not self.uses_sasl:
            return BaseSecurity(ssl_context=context, use_ssl=True)
        assert self.username is not None  # checked on creation
        assert self.password is not None
        return _SASL_CLASSES[self.sasl_mechanism](
            self.username, self.password, ssl_context=context, use_ssl=self.uses_ssl
        )


PLAINTEXT = KafkaSecurity()
