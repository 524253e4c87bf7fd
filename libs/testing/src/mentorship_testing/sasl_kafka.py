"""A real Kafka broker that authenticates (SASL SCRAM-SHA-512) and authorizes (ACLs), for tests
of what connects to a production-like cluster.

A single-node KRaft broker of the test's own (the local stack's jars, a scratch directory, free
ports), with its users' SCRAM credentials written when its storage is formatted and ACLs added
through Kafka's Java admin client (the broker's jars have no ACL command). ``admin`` is a super
user; every other user may do what its grants say and nothing else.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from mentorship_localstack.kafka import KafkaLayout, ensure_jars, storage_format_command
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import require_tool
from mentorship_runtime.kafka import ensure_topics
from mentorship_runtime.kafka_security import KafkaSecurity

ADMIN = KafkaSecurity(
    "SASL_PLAINTEXT",
    "SCRAM-SHA-512",
    username="admin",
    password="admin-pw",  # noqa: S106 - a test broker's
)

GRANT = """
import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Allows a principal operations on literal resources: Grant <client.properties> <principal>
 *  <TYPE:name:OPERATION>... */
public class Grant {
    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) { config.load(in); }
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] rule = args[i].split(":");
            bindings.add(new AclBinding(
                new ResourcePattern(ResourceType.valueOf(rule[0]), rule[1], PatternType.LITERAL),
                new AccessControlEntry(
                    args[1], "*", AclOperation.valueOf(rule[2]), AclPermissionType.ALLOW)));
        }
        try (Admin admin = Admin.create(config)) { admin.createAcls(bindings).all().get(); }
    }
}
"""


@dataclass(frozen=True)
class SaslUser:
    name: str
    password: str
    grants: Sequence[str] = ()
    """``TYPE:name:OPERATION`` rules on literal resources, e.g. ``TOPIC:progress.events:READ``."""

    def security(self) -> KafkaSecurity:
        return KafkaSecurity(
            "SASL_PLAINTEXT", "SCRAM-SHA-512", username=self.name, password=self.password
        )


@contextmanager
def sasl_broker(
    directory: Path, users: Sequence[SaslUser], topics: Mapping[str, int]
) -> Iterator[str]:
    """Run the broker in ``directory`` with ``admin`` and ``users`` and ``topics`` (name:
    partitions) created; yields its bootstrap address, stops it on exit."""
    java = require_tool("java", "run a Kafka broker", "Install a Java 17+ runtime.")
    jars = ensure_jars(KafkaLayout(StackPaths.from_environment()))
    port, controller = _free_port(), _free_port()
    config = _config(directory, port, controller)
    credentials = [
        argument
        for user in (SaslUser("admin", str(ADMIN.password)), *users)
        for argument in (
            "--add-scram",
            f"SCRAM-SHA-512=[name={user.name},password={user.password}]",
        )
    ]
    cluster_id = "sasl" + uuid.uuid4().hex[:18]
    _run([*storage_format_command(jars, config, cluster_id, standalone=True), *credentials])
    log = (directory / "kafka.log").open("w")
    broker = subprocess.Popen(  # noqa: S603 - the command is built here
        [java, "-Xmx256m", "-Xms128m", "-cp", f"{jars}/*", "kafka.Kafka", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    bootstrap = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not asyncio.run(_answers(bootstrap)):
            assert broker.poll() is None, (directory / "kafka.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the SASL broker did not start in 120 s"
            time.sleep(1)
        admin_config = directory / "admin.properties"
        admin_config.write_text(
            f"bootstrap.servers={bootstrap}\n"
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="admin" password="{ADMIN.password}";\n'
        )
        (directory / "Grant.java").write_text(GRANT)
        for user in users:
            if user.grants:
                grant = [java, "-cp", f"{jars}/*", str(directory / "Grant.java")]
                _run([*grant, str(admin_config), f"User:{user.name}", *user.grants])
        asyncio.run(ensure_topics(bootstrap, list(topics.items()), security=ADMIN))
        yield bootstrap
    finally:
        broker.terminate()
        try:
            broker.wait(30)
        except subprocess.TimeoutExpired:
            broker.kill()
            broker.wait()
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(directory: Path, port: int, controller: int) -> Path:
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN.username}" password="{ADMIN.password}";'
    )
    path = directory / "server.properties"
    path.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}",
                f"listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=SASL_PLAINTEXT",
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
                f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={jaas}",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                # the broker itself and the controller listener's clients, then the admin
                "super.users=User:admin;User:ANONYMOUS",
                "allow.everyone.if.no.acl.found=false",
                f"log.dirs={directory / 'data'}",
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "",
            ]
        )
    )
    return path


async def _answers(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=3000, **ADMIN.client_options()
    )
    try:
        await asyncio.wait_for(admin.start(), 5)
        await asyncio.wait_for(admin.describe_cluster(), 5)
    except Exception:  # not up yet
        return False
    finally:
        await admin.close()
    return True


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - the commands are built here
        command, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{command[3:5]} failed:\n{result.stdout}\n{result.stderr}"
