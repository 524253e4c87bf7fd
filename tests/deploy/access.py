"""Least privilege in production: who may do what on Kafka, which user each process connects as.

Like ``checks``, each function returns the problems it finds, one readable line each. What each
process needs is read from the code: the topics a service owns (the contracts), the consumer
groups and topics its worker subscribes to (``checks.consumer_subscriptions``), the dead-letter
topics they park on, notify's dead-delivery topic and the gateway's notification feed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.live import NotificationFeed, NotificationHub
from mentorship_contracts.topics import TOPIC_SPECS, dead_letter_topic
from notify.adapters.dead_letters import delivery_dead_letter_topic

from .checks import (
    APPS,
    SERVICES,
    Resource,
    _app_of,
    _by_name,
    _kafka_config,
    _of_kind,
    _secret_data,
    consumer_subscriptions,
    container_environment,
)

Acl = tuple[str, str, str, str]
"""(resource type, name, pattern type, operation), as Strimzi writes them."""

KEDA = "keda"
"""The role of KEDA's Kafka scaler, which reads the consuming workers' lag."""

IMPLIES = {
    "Read": {"Describe"},
    "Write": {"Describe"},
    "Delete": {"Describe"},
    "Alter": {"Describe"},
}
"""Kafka's implied operations: one who may read or write a topic or group may describe it."""

SECURITY_PROTOCOL = "SASL_SSL"
SASL_MECHANISM = "SCRAM-SHA-512"
KEDA_SASL = "scram_sha512"


def _topic(name: str, *operations: str) -> set[Acl]:
    return {("topic", name, "literal", op) for op in operations}


def _group(name: str, *operations: str, pattern: str = "literal") -> set[Acl]:
    return {("group", name, pattern, op) for op in operations}


def gateway_feed() -> tuple[str, str]:
    """(topic, consumer group prefix) of the gateway's live notifications: each replica reads
    in a group of its own, named ``<prefix><instance id>``."""
    marker = "INSTANCE"
    feed = NotificationFeed(
        NotificationHub(1), bootstrap="unused:9092", topic_prefix="", instance_id=marker
    )
    assert feed.group_id.endswith(marker)
    return feed.topic, feed.group_id.removesuffix(marker)


def required_acls() -> dict[str, set[Acl]]:
    """What each app (and KEDA) must be allowed, and all it may be allowed."""
    needed: dict[str, set[Acl]] = {app: set() for app in (*APPS, KEDA)}
    for spec in TOPIC_SPECS:
        needed[spec.producer] |= _topic(spec.topic.value, "Write")
    for app in SERVICES:
        for group, topic in consumer_subscriptions(app):
            needed[app] |= _topic(topic, "Read") | _group(group, "Read")
            # parks there, and looks there first so that a record is parked once
            needed[app] |= _topic(dead_letter_topic(topic, group), "Read", "Write")
            needed[KEDA] |= _topic(topic, "Describe") | _group(group, "Describe")
    needed["notify"] |= _topic(delivery_dead_letter_topic(""), "Write")
    topic, prefix = gateway_feed()
    needed["gateway"] |= _topic(topic, "Read") | _group(prefix, "Read", pattern="prefix")
    return needed


def effective(acls: Iterable[Acl]) -> set[Acl]:
    return {
        (kind, name, pattern, op)
        for kind, name, pattern, operation in acls
        for op in {operation, *IMPLIES.get(operation, ())}
    }


def user_acls(user: Resource) -> set[Acl]:
    """A KafkaUser's allow rules (a deny rule is not a grant, and none is written here)."""
    authorization = user["spec"].get("authorization") or {}
    acls: set[Acl] = set()
    for rule in authorization.get("acls", []):
        if rule.get("type", "allow") != "allow":
            continue
        resource = rule["resource"]
        for operation in rule.get("operations", []):
            acls.add(
                (
                    resource["type"],
                    resource.get("name", "*"),
                    resource.get("patternType", "literal"),
                    operation,
                )
            )
    return acls


def _describe(acl: Acl) -> str:
    kind, name, pattern, operation = acl
    return f"{operation} {kind} {name}" + (" (prefix)" if pattern == "prefix" else "")


def acl_problems(where: str, role: str, user: Resource) -> list[str]:
    needed = effective(required_acls()[role])
    granted = effective(user_acls(user))
    name = user["metadata"]["name"]
    return [
        f"{where}: {name} may not {_describe(a)}, which {role} needs"
        for a in sorted(needed - granted)
    ] + [
        f"{where}: {name} may {_describe(a)}, which {role} does not need"
        for a in sorted(granted - needed)
    ]


def _listener_problems(overlay: str, kafka: Resource) -> list[str]:
    problems = []
    listeners = kafka["spec"]["kafka"].get("listeners", [])
    if not listeners:
        problems.append(f"{overlay}: Kafka has no listener")
    for listener in listeners:
        if not listener.get("tls"):
            problems.append(f"{overlay}: Kafka listener {listener.get('name')} is not TLS")
        if (listener.get("authentication") or {}).get("type") not in {"scram-sha-512", "tls"}:
            problems.append(
                f"{overlay}: Kafka listener {listener.get('name')} does not authenticate clients"
            )
    if (kafka["spec"]["kafka"].get("authorization") or {}).get("type") != "simple":
        problems.append(f"{overlay}: Kafka authorizes no one (authorization is not `simple`)")
    if "userOperator" not in (kafka["spec"].get("entityOperator") or {}):
        problems.append(f"{overlay}: no User Operator manages the KafkaUsers")
    return problems


def _ca_problems(
    where: str, deployment: Resource, container: Resource, cafile: str, cluster: str
) -> list[str]:
    """``cafile`` is ``ca.crt`` of Strimzi's cluster CA Secret, mounted in the container."""
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
    for mount in container.get("volumeMounts") or []:
        if posixpath.dirname(cafile) != mount["mountPath"].rstrip("/"):
            continue
        secret = volumes.get(mount["name"], {}).get("secret") or {}
        items = {i["path"]: i["key"] for i in secret.get("items", [])}
        key = items.get(posixpath.basename(cafile), posixpath.basename(cafile))
        if secret.get("secretName") == f"{cluster}-cluster-ca-cert" and key == "ca.crt":
            return []
    return [f"{where}: KAFKA_SSL_CAFILE {cafile} is not the cluster CA's ca.crt mounted"]


def _password_ref(container: Resource) -> Mapping[str, Any]:
    for item in container.get("env") or []:
        if item["name"] == "KAFKA_SASL_PASSWORD":
            ref: Mapping[str, Any] = item.get("valueFrom", {}).get("secretKeyRef") or {}
            return ref
    return {}


def _client_problems(
    overlay: str, resources: list[Resource], users: Mapping[str, Resource], cluster: str
) -> tuple[list[str], dict[str, set[str]]]:
    """Each app's containers connect as one user of its own, with that user's password and the
    cluster CA; returns the problems and the users each app connects as."""
    problems: list[str] = []
    used: dict[str, set[str]] = {}
    for deployment in _of_kind(resources, "Deployment"):
        app = _app_of(deployment)
        if app not in APPS:
            continue
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            where = f"{overlay} {deployment['metadata']['name']}"
            env = container_environment(resources, container)
            protocol = env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
            mechanism = env.get("KAFKA_SASL_MECHANISM", SASL_MECHANISM)
            if (protocol, mechanism) != (SECURITY_PROTOCOL, SASL_MECHANISM):
                problems.append(
                    f"{where}: connects to Kafka with {protocol}/{mechanism}, "
                    f"not {SECURITY_PROTOCOL}/{SASL_MECHANISM}"
                )
                continue
            username = env.get("KAFKA_SASL_USERNAME", "")
            used.setdefault(app, set()).add(username)
            if username not in users:
                problems.append(f"{where}: connects as {username!r}, which is no KafkaUser")
            ref = _password_ref(container)
            if (ref.get("name"), ref.get("key")) != (username, "password"):
                problems.append(
                    f"{where}: KAFKA_SASL_PASSWORD is not the password the User Operator "
                    f"writes for {username} (Secret {username}, key password)"
                )
            problems += _ca_problems(
                where, deployment, container, env.get("KAFKA_SSL_CAFILE", ""), cluster
            )
    return problems, used


def _keda_problems(
    overlay: str, resources: list[Resource], users: Mapping[str, Resource], cluster: str
) -> tuple[list[str], set[str]]:
    """Each kafka trigger authenticates through a TriggerAuthentication as a KafkaUser, with
    SCRAM-SHA-512 over TLS trusting the cluster CA; returns the problems and the users."""
    problems: list[str] = []
    used: set[str] = set()
    auths = _by_name(resources, "TriggerAuthentication")
    secrets = _by_name(resources, "Secret")
    for scaled in _of_kind(resources, "ScaledObject"):
        for trigger in scaled["spec"].get("triggers", []):
            if trigger.get("type") != "kafka":
                continue
            where = f"{overlay}: ScaledObject {scaled['metadata']['name']}"
            name = (trigger.get("authenticationRef") or {}).get("name")
            if name not in auths:
                problems.append(
                    f"{where}: its trigger on {trigger['metadata'].get('topic')} "
                    "does not authenticate to Kafka"
                )
                continue
            refs = {r["parameter"]: r for r in auths[name]["spec"].get("secretTargetRef", [])}

            def value(parameter: str, refs: Mapping[str, Any] = refs) -> str | None:
                ref = refs.get(parameter)
                if ref is None or ref["name"] not in secrets:
                    return None
                return _secret_data(secrets[ref["name"]]).get(ref["key"])

            username = value("username") or ""
            used.add(username)
            if value("sasl") != KEDA_SASL or value("tls") != "enable":
                problems.append(f"{where}: KEDA does not use {KEDA_SASL} over TLS")
            if username not in users:
                problems.append(f"{where}: KEDA connects as {username!r}, which is no KafkaUser")
            password = refs.get("password", {})
            if (password.get("name"), password.get("key")) != (username, "password"):
                problems.append(f"{where}: KEDA's password is not {username}'s")
            ca = refs.get("ca", {})
            if (ca.get("name"), ca.get("key")) != (f"{cluster}-cluster-ca-cert", "ca.crt"):
                problems.append(f"{where}: KEDA does not trust the cluster CA")
    return problems, used


def kafka_access_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: TLS listeners that authenticate, `simple` authorization, every app and KEDA
    connecting as a KafkaUser of its own whose ACLs are exactly what it needs, every KafkaUser
    used, and every topic someone may write declared as a KafkaTopic."""
    if overlay != "prod":
        return []
    _, _, cluster = _kafka_config(resources)
    kafka = _of_kind(resources, "Kafka")[0]
    problems = _listener_problems(overlay, kafka)
    users = {
        u["metadata"]["name"]: u
        for u in _of_kind(resources, "KafkaUser")
        if u["metadata"].get("labels", {}).get("strimzi.io/cluster") == cluster
    }
    for name, user in sorted(users.items()):
        if (user["spec"].get("authentication") or {}).get("type") != "scram-sha-512":
            problems.append(f"{overlay}: KafkaUser {name} does not authenticate with SCRAM-SHA-512")
    client_problems, used = _client_problems(overlay, resources, users, cluster)
    keda_problems, keda_users = _keda_problems(overlay, resources, users, cluster)
    problems += client_problems + keda_problems
    roles: dict[str, set[str]] = {}
    for app, names in used.items():
        for name in names:
            roles.setdefault(name, set()).add(app)
    for name in keda_users:
        roles.setdefault(name, set()).add(KEDA)
    for app in APPS:
        if len(used.get(app, set())) > 1:
            problems.append(f"{overlay}: {app} connects as several users {sorted(used[app])}")
    for name, user in sorted(users.items()):
        owners = roles.get(name, set())
        if not owners:
            problems.append(f"{overlay}: KafkaUser {name} is used by no one")
        elif len(owners) > 1:
            problems.append(f"{overlay}: KafkaUser {name} is shared by {sorted(owners)}")
        else:
            problems += acl_problems(overlay, next(iter(owners)), user)
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]) for t in _of_kind(resources, "KafkaTopic")
    }
    writable = {
        name
        for user in users.values()
        for kind, name, pattern, operation in user_acls(user)
        if kind == "topic" and pattern == "literal" and operation == "Write"
    }
    problems += [
        f"{overlay}: {name} may be written but is no KafkaTopic"
        for name in sorted(writable - topics)
    ]
    return problems


MONGODB_ROLE = "readWrite"
"""All a service does on its database: read, write, create collections and indexes (MongoDB's
built-in readWrite has createIndex and createCollection). Nothing on another database."""


def mongodb_access_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: each MongoDB user is the user of one service, with readWrite on that service's
    database and no other role; a user no service reads is reported."""
    if overlay != "prod":
        return []
    databases: dict[str, set[str]] = {}
    for deployment in _of_kind(resources, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for item in container.get("env") or []:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if item["name"] == "MONGODB_URL" and ref:
                    database = container_environment(resources, container).get("MONGODB_DATABASE")
                    databases.setdefault(ref["name"], set()).add(str(database))
    problems = []
    for replica_set in _of_kind(resources, "MongoDBCommunity"):
        for user in replica_set["spec"].get("users", []):
            name = user.get("name")
            readers = databases.get(user.get("connectionStringSecretName", ""), set())
            if len(readers) != 1:
                problems.append(
                    f"{overlay}: MongoDB user {name} is read by services of databases "
                    f"{sorted(readers)}, not by one service"
                )
                continue
            wanted = [{"name": MONGODB_ROLE, "db": next(iter(readers))}]
            roles = [{"name": r.get("name"), "db": r.get("db")} for r in user.get("roles", [])]
            problems += [
                f"{overlay}: MongoDB user {name} has {r['name']} on {r['db']}, "
                f"more than {MONGODB_ROLE} on its own database"
                for r in roles
                if r not in wanted
            ]
            if not roles:
                problems.append(f"{overlay}: MongoDB user {name} has no role")
    return problems
