"""Kafka topic names. A topic belongs to one producer; keys keep an aggregate's events in order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    MENTORING_PROGRAMS = "mentoring.programs"
    MENTORING_PARTICIPANTS = "mentoring.participants"
    MENTORING_MATCHES = "mentoring.matches"
    MENTORING_AUDIT = "mentoring.audit"
    PROGRESS_EVENTS = "progress.events"
    NOTIFY_NOTIFICATIONS = "notify.notifications"
    MENTORING_DATA_REQUESTS = "mentoring.data_requests"
    PROGRESS_DATA_REQUESTS = "progress.data_requests"
    NOTIFY_DATA_REQUESTS = "notify.data_requests"


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    partitions: int
    key: str
    description: str

    @property
    def producer(self) -> str:
        """The service that owns and alone writes the topic: its name's first segment."""
        return self.topic.value.split(".", 1)[0]


TOPIC_SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(Topic.MENTORING_PROGRAMS, 3, "program id", "programs and who administers them"),
    TopicSpec(Topic.MENTORING_PARTICIPANTS, 6, "participant id", "who takes part in which program"),
    TopicSpec(Topic.MENTORING_MATCHES, 6, "mentee id", "the lifecycle of mentoring matches"),
    TopicSpec(Topic.MENTORING_AUDIT, 3, "program id", "the audit trail of administrative actions"),
    TopicSpec(Topic.PROGRESS_EVENTS, 6, "mentee id", "check-ins, milestones, sessions, alerts"),
    TopicSpec(Topic.NOTIFY_NOTIFICATIONS, 6, "recipient id", "notifications created and read"),
    TopicSpec(
        Topic.MENTORING_DATA_REQUESTS,
        3,
        "request id",
        "a person's data requests (exports) and mentoring's parts of them",
    ),
    TopicSpec(Topic.PROGRESS_DATA_REQUESTS, 3, "request id", "progress's parts of data requests"),
    TopicSpec(Topic.NOTIFY_DATA_REQUESTS, 3, "request id", "notify's parts of data requests"),
)


def topic_name(topic: Topic | str, prefix: str = "") -> str:
    """The physical name of a topic: a prefix isolates environments and test runs."""
    return f"{prefix}{topic}"


def dead_letter_topic(topic: str, consumer_group: str) -> str:
    """Where a consumer group parks the events of ``topic`` it could not handle."""
    return f"{topic}.dlq.{consumer_group}"
