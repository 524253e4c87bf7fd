"""How the command's Kafka clients connect: from the same variables as the services
(``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ``KAFKA_SASL_USERNAME``,
``KAFKA_SASL_PASSWORD``, ``KAFKA_SSL_CAFILE``), ``PLAINTEXT`` when none is set (the local stack).
An operator of a production cluster sets them to an operator's user."""

from __future__ import annotations

from typing import Any

from mentorship_runtime.kafka_security import UnreadableCaFile
from mentorship_runtime.settings import ConfigurationError, KafkaClientSettings, load_settings


class KafkaAccessError(Exception):
    """The variables that say how to connect to Kafka are wrong (the message says which)."""


def client_options() -> dict[str, Any]:
    """Keyword arguments for every aiokafka client the command makes."""
    try:
        return load_settings(KafkaClientSettings).kafka_security().client_options()
    except (ConfigurationError, UnreadableCaFile) as exc:
        raise KafkaAccessError(str(exc)) from None
