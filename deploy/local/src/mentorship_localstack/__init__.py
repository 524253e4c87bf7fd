"""A real single-node Apache Kafka (KRaft) and a MongoDB wire-protocol server, without Docker."""

from mentorship_localstack.stack import Endpoints, LocalStack, StackError

__all__ = ["Endpoints", "LocalStack", "StackError"]
