"""Dead deliveries on Kafka, named and labelled like the consumers' dead letters
(``mentorship_runtime.consumer``): ``<topic>.dlq.<group>`` with the ``dlq-*`` headers.

The topic is ``<prefix>notify.deliveries.dlq.notify-delivery``: ``notify.deliveries`` stands for
the deliveries collection (no Kafka topic carries deliveries), so that a generic replay of this
dead letter never republishes a delivery record onto a topic that consumers read as events. The
body is the delivery record as JSON (without the address or URL, which may be secret); the original
partition and offset are -1. Replaying one means setting the delivery back to pending.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from faststream.kafka import KafkaBroker

from mentorship_contracts.topics import dead_letter_topic, topic_name
from mentorship_runtime.consumer import (
    DLQ_ATTEMPTS,
    DLQ_CONSUMER_GROUP,
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_FAILED_AT,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
)
from notify.service_layer.ports import QueuedDelivery

DELIVERIES = "notify.deliveries"
GROUP = "notify-delivery"
ERROR_TYPE = "DeliveryFailed"


def delivery_dead_letter_topic(prefix: str) -> str:
    return dead_letter_topic(topic_name(DELIVERIES, prefix), GROUP)


def dead_letter_of(delivery: dict[str, Any], failed_at: datetime) -> tuple[bytes, dict[str, str]]:
    record = {
        "delivery_id": delivery["_id"],
        "notification_id": delivery["notification_id"],
        "channel": delivery["channel"],
        "recipient_id": delivery["recipient_id"],
        "user_id": delivery.get("user_id"),
        "attempts": delivery["attempts"],
        "last_error": delivery.get("last_error"),
    }
    headers = {
        "content-type": "application/json",
        DLQ_ERROR: str(delivery.get("last_error") or "")[:2000],
        DLQ_ERROR_TYPE: ERROR_TYPE,
        DLQ_ATTEMPTS: str(delivery["attempts"]),
        DLQ_ORIGINAL_TOPIC: DELIVERIES,
        DLQ_ORIGINAL_PARTITION: "-1",
        DLQ_ORIGINAL_OFFSET: "-1",
        DLQ_CONSUMER_GROUP: GROUP,
        DLQ_FAILED_AT: failed_at.isoformat(),
        "delivery-id": delivery["_id"],
        "delivery-channel": delivery["channel"],
    }
    return json.dumps(record, separators=(",", ":")).encode(), headers


class KafkaDeadLetters:
    def __init__(self, broker: KafkaBroker, prefix: str, clock: Callable[[], datetime]) -> None:
        self._broker = broker
        self._prefix = prefix
        self._topic = delivery_dead_letter_topic(prefix)
        self._clock = clock

    async def publish(self, dead: QueuedDelivery) -> None:
        delivery = {
            "_id": dead.delivery_id,
            "notification_id": dead.notification_id,
            "channel": dead.channel,
            "recipient_id": dead.recipient_id,
            "user_id": dead.user_id,
            "attempts": dead.attempts,
            "last_error": dead.last_error,
        }
        body, headers = dead_letter_of(delivery, self._clock())
        headers[DLQ_ORIGINAL_TOPIC] = topic_name(DELIVERIES, self._prefix)
        key = (dead.user_id or dead.recipient_id).encode()
        await self._broker.publish(body, self._topic, key=key, headers=headers)
