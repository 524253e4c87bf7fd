"""compose.yaml: the Compose specification, the wiring, the topics and every service's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentorship_runtime.kafka import platform_topics

from .checks import (
    REPO,
    compose_environment_problems,
    compose_problems,
    compose_topic_problems,
    compose_topics,
    load_yaml,
    make_dev_parity_problems,
)
from .conftest import edit

COMPOSE = REPO / "compose.yaml"


@pytest.fixture
def compose_copy(tmp_path: Path) -> Path:
    """A scratch copy next to the repository's files it mounts and builds from."""
    copy = tmp_path / "compose.yaml"
    copy.write_text(
        COMPOSE.read_text()
        .replace("./deploy/", f"{REPO}/deploy/")
        .replace("./web:", f"{REPO}/web:")
    )
    edit(copy, "      context: .\n", f"      context: {REPO}\n", count=4)
    return copy


def test_compose_file_follows_the_compose_specification(compose_schema: dict[str, Any]) -> None:
    assert compose_problems(COMPOSE, compose_schema) == []


def test_compose_creates_exactly_the_platform_topics() -> None:
    assert sorted(compose_topics(load_yaml(COMPOSE))) == sorted(platform_topics())
    assert compose_topic_problems(COMPOSE) == []


def test_every_service_gets_the_settings_it_requires_and_only_real_ones() -> None:
    assert compose_environment_problems(COMPOSE) == []


def test_the_copy_used_below_passes_before_it_is_broken(
    compose_copy: Path, compose_schema: dict[str, Any]
) -> None:
    assert compose_problems(compose_copy, compose_schema) == []


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("  restart: unless-stopped\n", "  restart_policy: unless-stopped\n", "restart_policy"),
        ("condition: service_completed_successfully", "condition: completed", "completed"),
        ('    ports:\n      - "8102:8102"\n', "    ports: 8102\n", "ports"),
        ("  mongo-data:\n", "", "mongo-data"),
        ("    kafka-topics:\n      condition", "    kafka-topic:\n      condition", "kafka-topic"),
        (
            "dockerfile: deploy/docker/notify.Dockerfile",
            "dockerfile: deploy/notify.Dockerfile",
            "missing",
        ),
    ],
)
def test_the_compose_check_rejects_a_broken_file(
    compose_copy: Path, compose_schema: dict[str, Any], old: str, new: str, complaint: str
) -> None:
    edit(compose_copy, old, new)
    problems = compose_problems(compose_copy, compose_schema)
    assert any(complaint in problem for problem in problems), problems


def test_a_topic_with_the_wrong_partition_count_or_missing_is_rejected(compose_copy: Path) -> None:
    edit(compose_copy, "create mentoring.matches 6", "create mentoring.matches 3")
    assert compose_topic_problems(compose_copy)
    edit(compose_copy, "        create progress.events 6\n", "")
    assert ("progress.events", 6) not in compose_topics(load_yaml(compose_copy))
    assert compose_topic_problems(compose_copy)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        # a typo (the first service is mentoring): the real variable is missing, the other unknown
        (
            "      KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n",
            "      KAFKA_BOOTSTRAP_SERVER: kafka:9092\n",
            "KAFKA_BOOTSTRAP_SERVERS is required by mentoring",
        ),
        (
            "      KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n",
            "      KAFKA_BOOTSTRAP_SERVER: kafka:9092\n",
            "KAFKA_BOOTSTRAP_SERVER is not a setting of mentoring",
        ),
        ("      NOTIFY_URL: http://notify:8103\n", "", "NOTIFY_URL is required by gateway"),
        (
            "      ROLE: all\n",
            "      ROLE: both\n",
            "ROLE: Input should be 'api', 'worker' or 'all'",
        ),
        (
            "PROGRESS_URL: http://progress:8102",
            "PROGRESS_URL: http://progress:8103",
            "does not listen",
        ),
        (
            "MENTORING_URL: http://mentoring:8101",
            "MENTORING_URL: http://mentoring-api:8101",
            "not defined",
        ),
    ],
)
def test_the_environment_check_rejects_a_missing_misspelt_or_misrouted_variable(
    compose_copy: Path, old: str, new: str, complaint: str
) -> None:
    edit(compose_copy, old, new)
    problems = compose_environment_problems(compose_copy)
    assert any(complaint in problem for problem in problems), problems


def test_compose_runs_what_make_dev_runs_on_the_same_ports() -> None:
    assert make_dev_parity_problems(COMPOSE) == []


def test_the_parity_check_rejects_another_published_port(compose_copy: Path) -> None:
    edit(compose_copy, '      - "8100:8100"\n', '      - "8080:8100"\n')
    assert make_dev_parity_problems(compose_copy) == [
        "compose.yaml: gateway is not published on port 8100"
    ]
