"""Kafka's storage is formatted whatever the random cluster id looks like."""

from pathlib import Path

import pytest

from mentorship_localstack import kafka
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import free_port

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("cluster_id", ["-Ppwu8W5RJ6ZwLAWf2Nd6g", "MkU3OEVBNTcwNTJENDM2Qg"])
def test_a_cluster_id_starting_with_a_dash_formats_the_storage(
    tmp_path: Path, cluster_id: str
) -> None:
    """A random id starts with ``-`` one time in 64; the tool once took it for a missing value
    (the fault suite's three-broker cluster failed to start so)."""
    layout = kafka.KafkaLayout(
        StackPaths(cache=StackPaths.from_environment().cache, state=tmp_path)
    )
    jars = kafka.ensure_jars(layout)
    port = free_port(0)
    kafka.write_config(layout, port, free_port(0, taken={port}))

    kafka.format_storage(layout, jars, cluster_id)

    assert f"cluster.id={cluster_id}" in (layout.data / "meta.properties").read_text()
