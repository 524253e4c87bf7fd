"""Production least privilege: Kafka over TLS with one SCRAM user per app and ACLs derived from
the code; each check also rejects a deliberately broken copy of deploy/k8s."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import access, checks
from .access import (
    audit_index_problems,
    gateway_feed,
    index_jobs,
    kafka_access_problems,
    mongodb_access_problems,
    network_problems,
    required_acls,
    required_flows,
)
from .checks import Resource, render
from .conftest import edit


def _prod(kustomize: Path, copy: Path) -> list[Resource]:
    return render(kustomize, copy / "overlays" / "prod")


def test_production_kafka_grants_each_app_and_keda_exactly_what_it_needs(
    rendered: dict[str, list[Resource]],
) -> None:
    assert kafka_access_problems("prod", rendered["prod"]) == []


def test_the_required_acls_follow_the_contracts_and_the_subscriptions() -> None:
    # Pins what the derivation finds today, so that a silently empty derivation cannot pass.
    needed = required_acls()
    assert ("topic", "mentoring.matches", "literal", "Write") in needed["mentoring"]
    assert ("topic", "mentoring.matches", "literal", "Read") not in needed["mentoring"]
    assert ("topic", "mentoring.matches", "literal", "Read") in needed["progress"]
    assert ("group", "progress-report", "literal", "Read") in needed["progress"]
    assert ("topic", "progress.events.dlq.notify", "literal", "Write") in needed["notify"]
    assert ("topic", "notify.deliveries.dlq.notify-delivery", "literal", "Write") in needed[
        "notify"
    ]
    assert gateway_feed() == ("notify.notifications", "gateway.")
    assert needed["gateway"] == {
        ("topic", "notify.notifications", "literal", "Read"),
        ("group", "gateway.", "prefix", "Read"),
    }
    assert {op for *_, op in needed["keda"]} == {"Describe"}
    cli = needed["cli"]
    assert ("topic", "mentoring.audit", "literal", "Describe") in cli  # `topics`
    assert ("group", "progress-report", "literal", "Describe") in cli  # `lag`
    assert ("topic", "progress.events.dlq.notify", "literal", "Read") in cli  # `dlq list`
    assert ("topic", "progress.events", "literal", "Write") in cli  # `dlq replay`
    assert ("group", "dlq-replayer.notify", "literal", "Read") in cli  # the replay ledger
    # reads no business topic, writes no topic nothing is replayed to, alters nothing
    assert not any(
        kind == "topic" and ".dlq." not in name and op == "Read" for kind, name, _, op in cli
    )
    assert ("topic", "notify.notifications", "literal", "Write") not in cli
    assert not any(".dlq.notify-delivery" in name for _, name, *_ in cli)  # not a platform DLQ
    assert {op for *_, op in cli} == {"Describe", "Read", "Write"}
    assert {op for kind, _, _, op in cli if kind == "group"} == {"Describe", "Read"}
    assert not any(kind == "transactionalId" for acls in needed.values() for kind, *_ in acls)


def test_a_new_subscription_without_its_acl_is_rejected(
    rendered: dict[str, list[Resource]], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = checks.consumer_subscriptions

    def with_one_more(app: str) -> frozenset[tuple[str, str]]:
        extra = {("notify", "progress.milestones")} if app == "notify" else set()
        return found(app) | extra

    monkeypatch.setattr(access, "consumer_subscriptions", with_one_more)
    problems = kafka_access_problems("prod", rendered["prod"])
    assert (
        "prod: kafka-notify may not Read topic progress.milestones, which notify needs" in problems
    )
    assert (
        "prod: kafka-notify may not Read topic progress.milestones.dlq.notify, which notify needs"
        in problems
    )
    assert (
        "prod: kafka-keda may not Describe topic progress.milestones, which keda needs" in problems
    )


PLAIN_LISTENER = """    listeners:
      - name: plain
        port: 9092
        type: internal
        tls: false
      - name: tls
"""


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        # the plain listener back
        (
            "overlays/prod/patches/kafka-tls-listener.yaml",
            "    listeners:\n      - name: tls\n",
            PLAIN_LISTENER,
            "prod: Kafka listener plain is not TLS",
        ),
        (
            "overlays/prod/patches/kafka-tls-listener.yaml",
            "        authentication:\n          type: scram-sha-512\n",
            "",
            "prod: Kafka listener tls does not authenticate clients",
        ),
        (
            "overlays/prod/patches/kafka-tls-listener.yaml",
            "    authorization:\n      type: simple\n",
            "",
            "authorization is not `simple`",
        ),
        # progress allowed to write mentoring's topic (the first such rule is progress's)
        (
            "overlays/prod/kafka-users.yaml",
            "          name: mentoring.matches\n          patternType: literal\n"
            "        operations: [Describe, Read]",
            "          name: mentoring.matches\n          patternType: literal\n"
            "        operations: [Describe, Read, Write]",
            "prod: kafka-progress may Write topic mentoring.matches, which progress does not need",
        ),
        # notify no longer allowed to read progress.events
        (
            "overlays/prod/kafka-users.yaml",
            "          name: progress.events\n          patternType: literal\n"
            "        operations: [Describe, Read]\n      - resource:\n          type: topic\n"
            "          name: mentoring.matches.dlq.notify",
            "          name: progress.events\n          patternType: literal\n"
            "        operations: [Describe]\n      - resource:\n          type: topic\n"
            "          name: mentoring.matches.dlq.notify",
            "prod: kafka-notify may not Read topic progress.events, which notify needs",
        ),
        # a transactional id no one uses
        (
            "overlays/prod/kafka-users.yaml",
            "      - resource:\n          type: group\n          name: gateway.\n",
            "      - resource:\n          type: transactionalId\n          name: gateway\n"
            "          patternType: prefix\n        operations: [Write]\n"
            "      - resource:\n          type: group\n          name: gateway.\n",
            "prod: kafka-gateway may Write transactionalId gateway (prefix), "
            "which gateway does not need",
        ),
        # all groups to the gateway
        (
            "overlays/prod/kafka-users.yaml",
            "          name: gateway.\n",
            "          name: '*'\n",
            "prod: kafka-gateway may Read group * (prefix), which gateway does not need",
        ),
        # the gateway connecting with notify's password
        (
            "overlays/prod/patches/kafka-password-gateway.yaml",
            "          name: kafka-gateway\n",
            "          name: kafka-notify\n",
            "prod gateway: KAFKA_SASL_PASSWORD is not the password",
        ),
        # the gateway connecting as notify
        (
            "overlays/prod/kustomization.yaml",
            "      - KAFKA_SASL_USERNAME=kafka-gateway\n",
            "      - KAFKA_SASL_USERNAME=kafka-notify\n",
            "prod: KafkaUser kafka-notify is shared by ['gateway', 'notify']",
        ),
        # the CA mounted elsewhere than KAFKA_SSL_CAFILE says
        (
            "overlays/prod/patches/kafka-ca.yaml",
            "    mountPath: /etc/kafka-ca\n",
            "    mountPath: /etc/kafka\n",
            "prod mentoring-api: KAFKA_SSL_CAFILE /etc/kafka-ca/ca.crt is not the cluster CA's",
        ),
        # plain text in production
        (
            "overlays/prod/kustomization.yaml",
            "      - KAFKA_SECURITY_PROTOCOL=SASL_SSL\n",
            "      - KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT\n",
            "prod gateway: connects to Kafka with SASL_PLAINTEXT/SCRAM-SHA-512",
        ),
        # a KEDA trigger left unauthenticated
        (
            "overlays/prod/patches/keda-kafka-notify.yaml",
            "- op: add\n  path: /spec/triggers/3/authenticationRef\n  value:\n"
            "    name: kafka-keda\n",
            "",
            "prod: ScaledObject notify-worker: its trigger on progress.events does not "
            "authenticate",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "      - sasl=scram_sha512\n",
            "      - sasl=plaintext\n",
            "KEDA does not use scram_sha512 over TLS",
        ),
        # a topic a user may write that no KafkaTopic declares (auto-creation is off)
        (
            "base/topics.yaml",
            "  topicName: notify.deliveries.dlq.notify-delivery\n",
            "  topicName: notify.deliveries.dlq.notify\n",
            "prod: notify.deliveries.dlq.notify-delivery may be written but is no KafkaTopic",
        ),
    ],
)
def test_the_kafka_access_check_rejects_a_broken_copy(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = kafka_access_problems("prod", _prod(kustomize, k8s_copy))
    assert any(complaint in problem for problem in problems), problems


CLI_USER = "  name: kafka-cli\n"


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        # the command line allowed to read a business topic
        (
            "          name: progress.events\n          patternType: literal\n"
            "        operations: [Describe, Write]\n",
            "          name: progress.events\n          patternType: literal\n"
            "        operations: [Describe, Read, Write]\n",
            "prod: kafka-cli may Read topic progress.events, which cli does not need",
        ),
        # ... to delete a dead-letter topic's records
        (
            "          name: progress.events.dlq.notify\n          patternType: literal\n"
            "        operations: [Describe, Read]\n",
            "          name: progress.events.dlq.notify\n          patternType: literal\n"
            "        operations: [Describe, Read, Delete]\n",
            "prod: kafka-cli may Delete topic progress.events.dlq.notify, which cli does not need",
        ),
        # ... to reset a service's consumer group
        (
            "          name: notify\n          patternType: literal\n"
            "        operations: [Describe]\n",
            "          name: notify\n          patternType: literal\n"
            "        operations: [Describe, Read]\n",
            "prod: kafka-cli may Read group notify, which cli does not need",
        ),
        # a replay that could not record itself
        (
            "          name: dlq-replayer.progress-report\n          patternType: literal\n"
            "        operations: [Describe, Read]\n",
            "          name: dlq-replayer.progress-report\n          patternType: literal\n"
            "        operations: [Describe]\n",
            "prod: kafka-cli may not Read group dlq-replayer.progress-report, which cli needs",
        ),
        # a replay that could not write the event back
        (
            "          name: mentoring.audit\n          patternType: literal\n"
            "        operations: [Describe, Write]\n",
            "          name: mentoring.audit\n          patternType: literal\n"
            "        operations: [Describe]\n",
            "prod: kafka-cli may not Write topic mentoring.audit, which cli needs",
        ),
        # no user for the command line at all
        (CLI_USER, "  name: kafka-tools\n", "prod: no KafkaUser kafka-cli for the operators'"),
    ],
)
def test_the_command_lines_kafka_user_has_exactly_what_it_needs(
    kustomize: Path, k8s_copy: Path, old: str, new: str, complaint: str
) -> None:
    # The user's rules come after the services', the gateway's and KEDA's in the file: edit there.
    path = k8s_copy / "overlays/prod/kafka-users.yaml"
    before, found, after = path.read_text().partition(CLI_USER)
    assert found
    assert old in found + after
    path.write_text(before + (found + after).replace(old, new, 1))
    problems = kafka_access_problems("prod", _prod(kustomize, k8s_copy))
    assert any(complaint in problem for problem in problems), problems


def test_a_workload_connecting_as_the_command_lines_user_is_rejected(
    kustomize: Path, k8s_copy: Path
) -> None:
    edit(
        k8s_copy / "overlays/prod/kustomization.yaml",
        "      - KAFKA_SASL_USERNAME=kafka-progress\n",
        "      - KAFKA_SASL_USERNAME=kafka-cli\n",
    )
    problems = kafka_access_problems("prod", _prod(kustomize, k8s_copy))
    assert "prod: KafkaUser kafka-cli is shared by ['cli', 'progress']" in problems


def test_a_kafka_user_no_one_uses_is_rejected(kustomize: Path, k8s_copy: Path) -> None:
    text = (k8s_copy / "overlays/prod/kafka-users.yaml").read_text()
    (k8s_copy / "overlays/prod/kafka-users.yaml").write_text(
        text
        + "---\napiVersion: kafka.strimzi.io/v1\nkind: KafkaUser\nmetadata:\n  name: kafka-tools\n"
        "  labels:\n    strimzi.io/cluster: mentorship\nspec:\n  authentication:\n"
        "    type: scram-sha-512\n"
    )
    problems = kafka_access_problems("prod", _prod(kustomize, k8s_copy))
    assert problems == ["prod: KafkaUser kafka-tools is used by no one"]


def test_each_mongodb_user_may_read_and_write_its_own_database_only(
    rendered: dict[str, list[Resource]],
) -> None:
    assert mongodb_access_problems("prod", rendered["prod"]) == []


@pytest.mark.parametrize(
    ("role", "complaint"),
    [
        ("readWriteAnyDatabase\n          db: admin", "has readWriteAnyDatabase on admin"),
        ("dbOwner\n          db: progress", "has dbOwner on progress"),
        ("readWrite\n          db: mentoring", "has readWrite on mentoring"),
        ("clusterMonitor\n          db: admin", "has clusterMonitor on admin"),
    ],
)
def test_a_mongodb_user_with_more_than_its_database_is_rejected(
    kustomize: Path, k8s_copy: Path, role: str, complaint: str
) -> None:
    edit(
        k8s_copy / "overlays/prod/mongodb.yaml",
        "        - name: readWrite\n          db: progress\n",
        f"        - name: readWrite\n          db: progress\n        - name: {role}\n",
    )
    problems = mongodb_access_problems("prod", _prod(kustomize, k8s_copy))
    assert problems == [
        f"prod: MongoDB user progress {complaint}, more than readWrite on its own database"
    ]


def test_a_mongodb_user_no_service_reads_is_rejected(kustomize: Path, k8s_copy: Path) -> None:
    edit(
        k8s_copy / "overlays/prod/mongodb.yaml",
        "      connectionStringSecretName: mongodb-notify\n",
        "      connectionStringSecretName: mongodb-notify-admin\n",
    )
    problems = mongodb_access_problems("prod", _prod(kustomize, k8s_copy))
    assert problems == [
        "prod: MongoDB user notify is read by services of databases [], not by one service"
    ]


def test_mentorings_collections_are_read_from_its_code_and_its_audit_trail_is_append_only() -> None:
    found, unreadable = access._collections_in_source("mentoring")
    assert unreadable == []
    # the source and the built service agree, so that neither way alone decides
    assert access._collections_built("mentoring") == found
    assert {"audit_log", "programs", "participants", "matches", "export_parts"} <= found
    privileges = access.required_privileges("mentoring")
    assert set(privileges) == found
    # inserts, and lists the indexes the index Job made: no index of its own (a TTL index
    # would have the server delete records), no other write
    assert privileges["audit_log"] == {"find", "insert", "listIndexes"}
    assert not privileges["audit_log"] & (access.WRITE_ACTIONS - {"insert"})
    assert privileges["matches"] >= {"update", "remove"}
    assert access.append_only_collections("progress") == frozenset()


def test_collection_names_are_read_from_literals_and_constants_and_others_fail_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        'TRAIL = "trail"\n'
        "def collections(db, database, self, name):\n"
        '    return db["first"], database.get_collection(TRAIL), self._db[name]\n'
    )
    found: set[str] = set()
    unreadable: list[str] = []
    access._scan(probe, "probe.py", found, unreadable)
    assert found == {"first", "trail"}
    assert unreadable == ["probe.py, line 3"]

    monkeypatch.setattr(access, "_collections_in_source", lambda app: (found, unreadable))
    with pytest.raises(AssertionError, match=r"not read from the code: \['probe.py, line 3'\]"):
        access.mongodb_collections("mentoring")


def test_a_new_collection_without_its_privilege_is_rejected(
    rendered: dict[str, list[Resource]], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = access._collections_in_source

    def with_one_more(app: str) -> tuple[set[str], list[str]]:
        names, unreadable = found(app)
        return names | {"audit_exports"}, unreadable

    monkeypatch.setattr(access, "_collections_in_source", with_one_more)
    problems = mongodb_access_problems("prod", rendered["prod"])
    assert "prod: MongoDB user mentoring may not insert audit_exports, which mentoring needs" in (
        problems
    )


MENTORING_ROLE = "overlays/prod/mongodb.yaml"
AUDIT_LOG = (
    "          - resource: {db: mentoring, collection: audit_log}\n"
    "            actions: [find, insert, listIndexes]\n"
)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        # the audit trail rewritable or erasable
        (
            AUDIT_LOG,
            AUDIT_LOG.replace("insert,", "insert, update,"),
            "prod: MongoDB user mentoring may update audit_log, which mentoring does not need",
        ),
        (
            AUDIT_LOG,
            AUDIT_LOG.replace("insert,", "insert, remove, dropCollection,"),
            "prod: MongoDB user mentoring may remove audit_log, which mentoring does not need",
        ),
        # the audit trail's index made by mentoring again: a TTL index could expire records
        (
            AUDIT_LOG,
            AUDIT_LOG.replace("insert,", "insert, createIndex,"),
            "prod: MongoDB user mentoring may createIndex audit_log, which changes an append-only "
            "collection",
        ),
        (
            AUDIT_LOG,
            AUDIT_LOG.replace("insert,", "insert, createCollection,"),
            "prod: MongoDB user mentoring may createCollection audit_log, which mentoring does not "
            "need",
        ),
        # the start's check could not list the indexes
        (
            AUDIT_LOG,
            AUDIT_LOG.replace(", listIndexes", ""),
            "prod: MongoDB user mentoring may not listIndexes audit_log, which mentoring needs",
        ),
        # a collection forgotten
        (
            "          - resource: {db: mentoring, collection: programs}\n"
            "            actions: [find, insert, update, remove, createIndex, createCollection]\n",
            "",
            "prod: MongoDB user mentoring may not find programs, which mentoring needs",
        ),
        # every collection of the database, the audit trail among them
        (
            AUDIT_LOG,
            AUDIT_LOG + "          - resource: {db: mentoring, collection: ''}\n"
            "            actions: [update]\n",
            "prod: MongoDB user mentoring may ['update'] on {'collection': '', 'db': 'mentoring'}, "
            "not one collection",
        ),
        # a collection mentoring does not use
        (
            AUDIT_LOG,
            AUDIT_LOG + "          - resource: {db: mentoring, collection: sessions}\n"
            "            actions: [find]\n",
            "prod: MongoDB user mentoring may find sessions, which mentoring does not need",
        ),
        # readWrite back, beside the role or inherited by it
        (
            "        - name: mentoringService\n          db: mentoring\n",
            "        - name: mentoringService\n          db: mentoring\n"
            "        - name: readWrite\n          db: mentoring\n",
            "prod: MongoDB user mentoring has ['mentoringService on mentoring', 'readWrite on "
            "mentoring'], not one role of its own",
        ),
        (
            "        roles: []\n",
            "        roles:\n          - name: readWrite\n            db: mentoring\n",
            "prod: MongoDB user mentoring: its role inherits",
        ),
        # the role defined in admin, where it could grant any database
        (
            "      - role: mentoringService\n        db: mentoring\n",
            "      - role: mentoringService\n        db: admin\n",
            "prod: MongoDB user mentoring has ['mentoringService on mentoring'], not one role",
        ),
    ],
)
def test_the_mongodb_check_rejects_a_broken_role_for_mentoring(
    kustomize: Path, k8s_copy: Path, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / MENTORING_ROLE, old, new)
    problems = mongodb_access_problems("prod", _prod(kustomize, k8s_copy))
    assert any(complaint in problem for problem in problems), problems


def test_production_makes_the_audit_trails_index_with_a_job_as_a_user_of_its_own(
    rendered: dict[str, list[Resource]],
) -> None:
    assert audit_index_problems("prod", rendered["prod"]) == []
    [job] = index_jobs(rendered["prod"])
    [container] = job["spec"]["template"]["spec"]["containers"]
    api = next(
        r for r in rendered["prod"] if r["kind"] == "Deployment" and r["metadata"]["name"] == (
            "mentoring-api")
    )  # fmt: skip
    assert container["image"] == api["spec"]["template"]["spec"]["containers"][0]["image"]
    assert container["image"] == "registry.example.com/mentorship/mentoring:0.1.0"
    assert container["command"] == ["python", "-m", "mentoring.entrypoints.audit_index"]
    assert index_jobs(rendered["dev"]) == []  # elsewhere mentoring creates it (the default)


INDEX_JOB = "overlays/prod/audit-index-job.yaml"
INDEX_ROLE = (
    "          - resource: {db: mentoring, collection: audit_log}\n"
    "            actions: [createCollection, createIndex]\n"
)


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        # mentoring left to create the index, which its user may not
        (
            "overlays/prod/kustomization.yaml",
            "      - AUDIT_LOG_INDEX=check\n",
            "",
            "prod mentoring-api: AUDIT_LOG_INDEX is not check",
        ),
        # no Job, or one that runs something else
        (
            "overlays/prod/kustomization.yaml",
            "  - audit-index-job.yaml\n",
            "",
            "prod: expected one Job running `python -m mentoring.entrypoints.audit_index`, found 0",
        ),
        (
            INDEX_JOB,
            "mentoring.entrypoints.audit_index]",
            "mentoring.entrypoints.main]",
            "found 0",
        ),
        (
            INDEX_JOB,
            "image: mentorship/mentoring:0.1.0",
            "image: mentorship/progress:0.1.0",
            "prod Job/mentoring-audit-index: runs registry.example.com/mentorship/progress:0.1.0, "
            "not mentoring's",
        ),
        # the Job as mentoring's own user, or mentoring given the Job's
        (
            INDEX_JOB,
            "name: mongodb-mentoring-audit-index\n",
            "name: mongodb-mentoring\n",
            "prod Job/mentoring-audit-index: connects with mongodb-mentoring, which Deployment "
            "mentoring-api reads too",
        ),
        (
            "base/mentoring.yaml",
            "                  name: mongodb-mentoring\n",
            "                  name: mongodb-mentoring-audit-index\n",
            "connects with mongodb-mentoring-audit-index, which Deployment mentoring-api reads",
        ),
        # the Job's user allowed more than the index
        (
            MENTORING_ROLE,
            INDEX_ROLE,
            INDEX_ROLE.replace("createIndex]", "createIndex, remove]"),
            "prod: MongoDB user mentoring-audit-index may remove audit_log, which the index Job "
            "does not need",
        ),
        (
            MENTORING_ROLE,
            INDEX_ROLE,
            INDEX_ROLE.replace("collection: audit_log", "collection: ''"),
            "prod: MongoDB user mentoring-audit-index may ['createCollection', 'createIndex'] on "
            "{'collection': '', 'db': 'mentoring'}, not one collection",
        ),
        (
            MENTORING_ROLE,
            "        - name: mentoringAuditIndex\n          db: mentoring\n",
            "        - name: dbAdmin\n          db: mentoring\n",
            "prod: MongoDB user mentoring-audit-index has [('dbAdmin', 'mentoring')], not one "
            "role of its own",
        ),
        # the Job's pod less hardened than the Deployments'
        (
            INDEX_JOB,
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
            "prod Job/mentoring-audit-index: the root filesystem is writable",
        ),
        (
            INDEX_JOB,
            "      automountServiceAccountToken: false\n",
            "",
            "prod Job/mentoring-audit-index: mounts a Kubernetes API token it does not use",
        ),
    ],
)
def test_the_audit_index_check_rejects_a_broken_copy(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = audit_index_problems("prod", _prod(kustomize, k8s_copy))
    assert any(complaint in problem for problem in problems), problems


def test_production_network_policies_allow_exactly_what_the_platform_needs(
    rendered: dict[str, list[Resource]],
) -> None:
    assert network_problems("prod", rendered["prod"]) == []
    flows = required_flows(rendered["prod"])
    # a few of the needs, so that an empty derivation cannot pass
    assert ("gateway", "mentoring-api", ("TCP", 8101)) in flows
    assert ("notify-worker", "internet", ("TCP", 587)) in flows
    assert ("ingress-controller", "web", ("TCP", 8080)) in flows
    assert ("progress-worker", "mongodb", ("TCP", 27017)) in flows
    assert ("mentoring-audit-index", "mongodb", ("TCP", 27017)) in flows
    assert not any(s == "mentoring-audit-index" and d != "kube-dns" and d != "mongodb"
                   for s, d, _ in flows)  # fmt: skip
    assert ("keda", "kafka", ("TCP", 9093)) in flows
    assert not any(source == "stray-pod" and dest != "kube-dns" for source, dest, _ in flows)


NETWORK = "overlays/prod/networkpolicies.yaml"


@pytest.mark.parametrize(
    ("path", "old", "new", "complaint"),
    [
        # no default deny: a pod no policy names is open to all
        (
            NETWORK,
            "  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
            "  name: default-deny\nspec:\n  podSelector:\n    matchLabels:\n      app: none\n"
            "  policyTypes: [Ingress, Egress]\n",
            "prod: another-namespace -> stray-pod TCP/25 is allowed, and no one needs it",
        ),
        (
            NETWORK,
            "  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
            "  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
            "prod: no NetworkPolicy denies all traffic by default",
        ),
        # the services' APIs open to every pod of every namespace
        (
            NETWORK,
            "    - from:\n        - podSelector:\n            matchLabels:\n"
            "              app.kubernetes.io/name: gateway\n",
            "    - from:\n        - namespaceSelector: {}\n",
            "prod: another-namespace -> mentoring-api TCP/8101 is allowed, and no one needs it",
        ),
        # the services without MongoDB
        (
            NETWORK,
            "    - to:\n        - podSelector:\n            matchLabels:\n"
            "              app: mentorship-mongodb-svc\n      ports:\n        - port: 27017\n"
            "---\n",
            "---\n",
            "prod: mentoring-api -> mongodb TCP/27017 is refused, and is needed",
        ),
        # every notify pod allowed to send e-mail
        (
            NETWORK,
            "      app.kubernetes.io/name: notify\n      app.kubernetes.io/component: worker\n",
            "      app.kubernetes.io/name: notify\n",
            "prod: notify-api -> internet TCP/587 is allowed, and no one needs it",
        ),
        # the web app no longer served
        (
            NETWORK,
            "  name: from-ingress-controller\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: web\n",
            "  name: from-ingress-controller\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: gateway\n",
            "prod: ingress-controller -> web TCP/8080 is refused, and is needed",
        ),
        # the web app's server cannot pass the gateway's paths on
        (
            NETWORK,
            "  name: web-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: web\n",
            "  name: web-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: nobody\n",
            "prod: web -> gateway TCP/8100 is refused, and is needed",
        ),
        # 443 to private addresses too: the gateway reaches pods of other namespaces
        (
            NETWORK,
            "            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8, 172.16.0.0/12, "
            "192.168.0.0/16]\n      ports:\n        - protocol: TCP\n          port: 443\n---\n",
            "            cidr: 0.0.0.0/0\n      ports:\n        - protocol: TCP\n"
            "          port: 443\n---\n",
            "prod: gateway -> prometheus TCP/443 is allowed, and no one needs it",
        ),
        # Prometheus from another namespace than the one it runs in
        (
            NETWORK,
            "              kubernetes.io/metadata.name: monitoring\n",
            "              kubernetes.io/metadata.name: prometheus\n",
            "prod: prometheus -> gateway TCP/8100 is refused, and is needed",
        ),
        # a policy whose selector matches no pod (a typo)
        (
            NETWORK,
            "  name: kafka-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      strimzi.io/cluster: mentorship\n      strimzi.io/name: mentorship-kafka\n",
            "  name: kafka-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      strimzi.io/cluster: mentorship\n      strimzi.io/name: mentorship-kafkas\n",
            "prod: NetworkPolicy kafka-egress selects no pod",
        ),
        # the audit index Job kept from MongoDB, or let out to the internet
        (
            NETWORK,
            "        - podSelector:\n            matchLabels:\n"
            "              app.kubernetes.io/name: mentoring-audit-index\n",
            "",
            "prod: mentoring-audit-index -> mongodb TCP/27017 is refused, and is needed",
        ),
        (
            NETWORK,
            "  name: audit-index-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: mentoring-audit-index\n  policyTypes: [Egress]\n"
            "  egress:\n",
            "  name: audit-index-egress\nspec:\n  podSelector:\n    matchLabels:\n"
            "      app.kubernetes.io/name: mentoring-audit-index\n  policyTypes: [Egress]\n"
            "  egress:\n    - ports:\n        - port: 443\n",
            "prod: mentoring-audit-index -> internet TCP/443 is allowed, and no one needs it",
        ),
        # Kafka's listener open to every pod of every namespace
        (
            "overlays/prod/patches/kafka-tls-listener.yaml",
            "        networkPolicyPeers:\n",
            "        x-networkPolicyPeers:\n",
            "prod: another-namespace -> kafka TCP/9093 is allowed, and no one needs it",
        ),
        # the services' way to MongoDB open to any pod anywhere on its port
        (
            NETWORK,
            "    - to:\n        - podSelector:\n            matchLabels:\n"
            "              app: mentorship-mongodb-svc\n      ports:\n        - port: 27017\n"
            "---\n",
            "    - to:\n        - namespaceSelector: {}\n      ports:\n        - port: 27017\n"
            "---\n",
            "prod: mentoring-api -> another-namespace TCP/27017 is allowed, and no one needs it",
        ),
    ],
)
def test_the_network_check_rejects_a_broken_copy(
    kustomize: Path, k8s_copy: Path, path: str, old: str, new: str, complaint: str
) -> None:
    edit(k8s_copy / path, old, new)
    problems = network_problems("prod", _prod(kustomize, k8s_copy))
    assert any(complaint in problem for problem in problems), problems


def test_an_index_job_labelled_as_mentoring_would_reach_kafka(
    kustomize: Path, k8s_copy: Path
) -> None:
    edit(
        k8s_copy / "overlays/prod/audit-index-job.yaml",
        "app.kubernetes.io/name: mentoring-audit-index\n",
        "app.kubernetes.io/name: mentoring\n",
        count=2,
    )
    problems = network_problems("prod", _prod(kustomize, k8s_copy))
    assert "prod: mentoring-audit-index -> kafka TCP/9093 is allowed, and no one needs it" in (
        problems
    )
