"""Least privilege in production: who may do what on Kafka, which user each process connects as.

Like ``checks``, each function returns the problems it finds, one readable line each. What each
process needs is read from the code: the topics a service owns (the contracts), the consumer
groups and topics its worker subscribes to (``checks.consumer_subscriptions``), the dead-letter
topics they park on, notify's dead-delivery topic, the gateway's notification feed, and what the
operators' command line (``mentorship topics|lag|dlq``) touches.
"""

from __future__ import annotations

import ast
import importlib
import ipaddress
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from gateway.live import NotificationFeed, NotificationHub
from mentoring.adapters.audit_log import AuditLog
from mentoring.entrypoints import audit_index
from mentorship_cli.dead_letters import is_platform_dead_letter_topic, replayer_group
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
    setting_variables,
    worker_service,
)

Acl = tuple[str, str, str, str]
"""(resource type, name, pattern type, operation), as Strimzi writes them."""

KEDA = "keda"
"""The role of KEDA's Kafka scaler, which reads the consuming workers' lag."""

CLI = "cli"
"""The role of the operators' command line (``mentorship topics``, ``lag``, ``dlq``)."""
CLI_USER = "kafka-cli"
"""The KafkaUser an operator runs the command line as (no workload connects as it)."""

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
    needed: dict[str, set[Acl]] = {app: set() for app in (*APPS, KEDA, CLI)}
    for spec in TOPIC_SPECS:
        needed[spec.producer] |= _topic(spec.topic.value, "Write")
        # `topics`: partitions and offsets of every platform topic
        needed[CLI] |= _topic(spec.topic.value, "Describe")
    for app in SERVICES:
        for group, topic in consumer_subscriptions(app):
            needed[app] |= _topic(topic, "Read") | _group(group, "Read")
            # parks there, and looks there first so that a record is parked once
            needed[app] |= _topic(dead_letter_topic(topic, group), "Read", "Write")
            needed[KEDA] |= _topic(topic, "Describe") | _group(group, "Describe")
            needed[CLI] |= _cli_acls(group, topic)
    needed["notify"] |= _topic(delivery_dead_letter_topic(""), "Write")
    topic, prefix = gateway_feed()
    needed["gateway"] |= _topic(topic, "Read") | _group(prefix, "Read", pattern="prefix")
    return needed


def _cli_acls(group: str, topic: str) -> set[Acl]:
    """What the command line does about one consumer group's subscription to ``topic``: `lag`
    reads the group's commits; `dlq list|show` reads the group's dead-letter topic (with a
    group-less consumer) and the replay ledger (the commits of ``dlq-replayer.<group>``); `dlq
    replay` writes an entry back to ``topic`` and commits the ledger. It reads no business topic."""
    acls = _group(group, "Describe")
    dead_letters = dead_letter_topic(topic, group)
    if is_platform_dead_letter_topic(dead_letters):  # the only dead letters the CLI looks at
        acls |= _topic(dead_letters, "Read") | _topic(topic, "Write")
        acls |= _group(replayer_group(group), "Read")
    return acls


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
    connecting as a KafkaUser of its own whose ACLs are exactly what it needs, the operators'
    command line's user (``CLI_USER``) there with exactly what the command line needs, every
    KafkaUser used, and every topic someone may write declared as a KafkaTopic."""
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
    if CLI_USER in users:
        roles.setdefault(CLI_USER, set()).add(CLI)
    else:
        problems.append(f"{overlay}: no KafkaUser {CLI_USER} for the operators' command line")
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


# --------------------------------------------------------------------------------------------
# MongoDB: each service's user may do what the service does on its own database. Where the
# service keeps a collection it only ever inserts into (mentoring's audit trail), built-in
# readWrite (update and remove on every collection) is too much, and a role of its own lists each
# collection the service uses with its actions: the collections are read from the code.

MONGODB_ROLE = "readWrite"
"""All a service does on its database: read, write, create collections and indexes (MongoDB's
built-in readWrite has createIndex and createCollection). Nothing on another database."""

COLLECTION_ACTIONS = frozenset(
    {"find", "insert", "update", "remove", "createIndex", "createCollection"}
)
"""What a service does on a collection of its own: read and write it, create it and its indexes
(insert and create_index create a missing collection)."""
APPEND_ONLY_ACTIONS = frozenset({"find", "insert", "listIndexes"})
"""What a service does on a collection it only inserts into: read it, insert, and list its
indexes (it checks at start that the index Job made its index). No update, no remove, no drop,
and no index of its own: a TTL index would have the server delete records as they age."""
WRITE_ACTIONS = frozenset(
    {"insert", "update", "remove", "createIndex", "dropIndex", "createCollection",
     "dropCollection", "collMod", "convertToCapped", "compact", "reIndex",
     "renameCollectionSameDB", "bypassDocumentValidation"}
)  # fmt: skip
"""MongoDB's actions that change a collection: its documents, its indexes, the collection."""
INDEX_JOB_ACTIONS = frozenset({"createIndex", "createCollection"})
"""What the index Job does on an append-only collection: create its index, and the collection
when it is not there yet (``createIndexes`` asks for createIndex even where the index exists,
which is why the service itself only lists the indexes)."""
INDEX_JOB_COMMAND = ["python", "-m", audit_index.__name__]
"""The index Job's command: mentoring's module that creates the audit trail's index alone."""
INDEX_SETTING = "AUDIT_LOG_INDEX"
"""Mentoring's setting: ``check`` where the index Job makes the audit trail's index."""


def _unconnected_database(app: str) -> Any:
    return AsyncMongoClient("mongodb://unused:27017/?connect=false")[app]


def append_only_collections(app: str) -> frozenset[str]:
    """The collections a service only ever inserts into, named by their adapters."""
    database = _unconnected_database(app)
    stores = {"mentoring": [AuditLog(database).records]}
    return frozenset(collection.name for collection in stores.get(app, []))


def _is_database(node: ast.expr) -> bool:
    """``db``, ``database``, ``self._db``, ``runtime.database``: how the code names a database."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name.lstrip("_") in {"db", "database"}


def _collections_in_source(app: str) -> tuple[set[str], list[str]]:
    """The collection names the modules of the service's package and of the runtime take from
    a database (``db["name"]``, ``database.get_collection(NAME)``), and where a name is not a
    literal or a module constant (then it cannot be read from the code)."""
    found: set[str] = set()
    unreadable: list[str] = []
    for package in (app, "mentorship_runtime"):
        root = Path(str(importlib.import_module(package).__file__)).parent
        for path in sorted(root.rglob("*.py")):
            _scan(path, f"{package}/{path.relative_to(root)}", found, unreadable)
    return found, unreadable


def _scan(path: Path, name: str, found: set[str], unreadable: list[str]) -> None:
    """Adds the collection names one module takes from a database to ``found``, and where it
    takes one by a name that is neither a literal nor a module constant to ``unreadable``."""
    tree = ast.parse(path.read_text(), str(path))
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_database(node.value):
            key: ast.expr = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get_collection", "create_collection"}
            and _is_database(node.func.value)
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.add(key.value)
        elif isinstance(key, ast.Name) and key.id in constants:
            found.add(constants[key.id])
        else:
            unreadable.append(f"{name}, line {node.lineno}")


def _collections_built(app: str) -> set[str]:
    """The collections of the service's database made while its worker is built and each of its
    contexts (``context``, ``*_context``) is made: those reached some other way than above."""
    seen: set[str] = set()
    original = AsyncCollection.__init__

    def recording(self: Any, database: Any, name: str, *args: Any, **kwargs: Any) -> None:
        original(self, database, name, *args, **kwargs)
        if database.name == app:
            seen.add(name)

    with patch.object(AsyncCollection, "__init__", recording):
        service = worker_service(app)
        for attribute in dir(type(service)):
            if attribute == "context" or attribute.endswith("_context"):
                getattr(service, attribute)()
    return seen


def mongodb_collections(app: str) -> frozenset[str]:
    """Every collection the service uses; a name the code hides fails loudly."""
    found, unreadable = _collections_in_source(app)
    assert not unreadable, f"collection names not read from the code: {unreadable}"
    return frozenset(found | _collections_built(app))


def required_privileges(app: str) -> dict[str, frozenset[str]]:
    """Collection -> actions, for a service whose user has a role of its own."""
    append_only = append_only_collections(app)
    return {
        name: APPEND_ONLY_ACTIONS if name in append_only else COLLECTION_ACTIONS
        for name in mongodb_collections(app)
    }


def _custom_role_problems(
    where: str, app: str, database: str, roles: list[dict[str, Any]], custom: Mapping[Any, Any]
) -> list[str]:
    """The user has one role, a role of the replica set defined in the service's database
    (MongoDB keeps such a role to that database), inheriting nothing, whose privileges are
    exactly ``required_privileges``."""
    if len(roles) != 1 or (roles[0]["name"], roles[0]["db"]) not in custom:
        shown = [f"{r['name']} on {r['db']}" for r in roles]
        return [f"{where} has {shown}, not one role of its own listing its collections"]
    role = custom[(roles[0]["name"], roles[0]["db"])]
    problems = []
    if role.get("db") != database:
        problems.append(f"{where}: its role is defined in {role.get('db')}, not in {database}")
    if role.get("roles"):
        problems.append(f"{where}: its role inherits {role['roles']}")
    granted: dict[str, set[str]] = {}
    for privilege in role.get("privileges") or []:
        resource = privilege.get("resource") or {}
        actions = set(privilege.get("actions") or [])
        collection = resource.get("collection")
        if set(resource) != {"db", "collection"} or resource["db"] != database or not collection:
            named = {key: resource[key] for key in sorted(resource)}
            problems.append(f"{where} may {sorted(actions)} on {named}, not one collection")
            continue
        granted.setdefault(collection, set()).update(actions)
    needed = required_privileges(app)
    for collection in sorted(append_only_collections(app)):
        problems += [
            f"{where} may {action} {collection}, which changes an append-only collection"
            for action in sorted(granted.get(collection, set()) & WRITE_ACTIONS - {"insert"})
        ]
    for collection in sorted(set(needed) | set(granted)):
        want, have = needed.get(collection, frozenset()), granted.get(collection, set())
        problems += [
            f"{where} may not {action} {collection}, which {app} needs"
            for action in sorted(want - have)
        ] + [
            f"{where} may {action} {collection}, which {app} does not need"
            for action in sorted(have - want)
        ]
    return problems


def mongodb_access_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: each MongoDB user is the user of one service, with readWrite on that service's
    database and no other role, or, for a service with an append-only collection, one role of
    its own with exactly what it does on each of its collections; a user no service reads is
    reported."""
    if overlay != "prod":
        return []
    jobs = {ref for _, _, ref in _job_mongodb_secrets(resources)}
    readers: dict[str, set[tuple[str, str]]] = {}
    for deployment in _of_kind(resources, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for item in container.get("env") or []:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if item["name"] == "MONGODB_URL" and ref:
                    database = container_environment(resources, container).get("MONGODB_DATABASE")
                    readers.setdefault(ref["name"], set()).add(
                        (str(_app_of(deployment)), str(database))
                    )
    problems = []
    for replica_set in _of_kind(resources, "MongoDBCommunity"):
        custom = {
            (r.get("role"), r.get("db")): r
            for r in (replica_set["spec"].get("security") or {}).get("roles") or []
        }
        for user in replica_set["spec"].get("users", []):
            name = user.get("name")
            services = readers.get(user.get("connectionStringSecretName", ""), set())
            if not services and user.get("connectionStringSecretName") in jobs:
                continue  # a Job's user: audit_index_problems
            if len(services) != 1:
                problems.append(
                    f"{overlay}: MongoDB user {name} is read by services of databases "
                    f"{sorted(d for _, d in services)}, not by one service"
                )
                continue
            [(app, database)] = services
            roles = [{"name": r.get("name"), "db": r.get("db")} for r in user.get("roles", [])]
            if append_only_collections(app):
                where = f"{overlay}: MongoDB user {name}"
                problems += _custom_role_problems(where, app, database, roles, custom)
                continue
            wanted = [{"name": MONGODB_ROLE, "db": database}]
            problems += [
                f"{overlay}: MongoDB user {name} has {r['name']} on {r['db']}, "
                f"more than {MONGODB_ROLE} on its own database"
                for r in roles
                if r not in wanted
            ]
            if not roles:
                problems.append(f"{overlay}: MongoDB user {name} has no role")
    return problems


def _job_mongodb_secrets(resources: list[Resource]) -> list[tuple[Resource, Resource, str]]:
    """(Job, container, Secret) of each Job container that reads MONGODB_URL from a Secret."""
    found = []
    for job in _of_kind(resources, "Job"):
        for container in job["spec"]["template"]["spec"]["containers"]:
            for item in container.get("env") or []:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if item["name"] == "MONGODB_URL" and ref:
                    found.append((job, container, str(ref["name"])))
    return found


def index_jobs(resources: list[Resource]) -> list[Resource]:
    """The Jobs that run mentoring's audit index module."""
    return [
        job
        for job in _of_kind(resources, "Job")
        if any(
            [*(c.get("command") or []), *(c.get("args") or [])] == INDEX_JOB_COMMAND
            for c in job["spec"]["template"]["spec"]["containers"]
        )
    ]


def _hardening_problems(where: str, pod: Resource, container: Resource) -> list[str]:
    problems = []
    security = container.get("securityContext") or {}
    if not (security.get("runAsNonRoot") or (pod.get("securityContext") or {}).get("runAsNonRoot")):
        problems.append(f"{where}: may run as root")
    if not security.get("readOnlyRootFilesystem"):
        problems.append(f"{where}: the root filesystem is writable")
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: privilege escalation is allowed")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: mounts a Kubernetes API token it does not use")
    for bound in ("requests", "limits"):
        for what in ("cpu", "memory"):
            if what not in (container.get("resources") or {}).get(bound, {}):
                problems.append(f"{where}: no {what} {bound[:-1]}")
    return problems


def audit_index_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: mentoring does not create the audit trail's index (its user may not): every mentoring
    Deployment checks it (``AUDIT_LOG_INDEX=check``), and one Job creates it, with mentoring's
    image and the index module, hardened like the Deployments, connecting as a MongoDB user of
    its own (whose Secret no Deployment reads) with one role, defined in mentoring's database and
    inheriting nothing, that may create the append-only collections and their indexes alone."""
    if overlay != "prod":
        return []
    assert INDEX_SETTING in setting_variables("mentoring"), f"{INDEX_SETTING} is no setting"
    problems = []
    deployments = [d for d in _of_kind(resources, "Deployment") if _app_of(d) == "mentoring"]
    images, databases, secrets = set(), set(), set()
    for deployment in deployments:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            env = container_environment(resources, container)
            images.add(container["image"])
            databases.add(env.get("MONGODB_DATABASE", ""))
            if env.get(INDEX_SETTING) != "check":
                problems.append(
                    f"{overlay} {deployment['metadata']['name']}: {INDEX_SETTING} is not check: "
                    "mentoring would create the audit trail's index, which its user may not"
                )
    for deployment in _of_kind(resources, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for item in container.get("env") or []:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    secrets.add((str(ref["name"]), deployment["metadata"]["name"]))
    jobs = index_jobs(resources)
    if len(jobs) != 1:
        command = " ".join(INDEX_JOB_COMMAND)
        return [*problems, f"{overlay}: expected one Job running `{command}`, found {len(jobs)}"]
    job = jobs[0]
    where = f"{overlay} Job/{job['metadata']['name']}"
    pod = job["spec"]["template"]["spec"]
    if len(pod["containers"]) != 1:
        problems.append(f"{where}: runs {len(pod['containers'])} containers, not one")
    container = pod["containers"][0]
    if {container["image"]} != images:
        problems.append(f"{where}: runs {container['image']}, not mentoring's {sorted(images)}")
    problems += _hardening_problems(where, pod, container)
    env = container_environment(resources, container)
    if {env.get("MONGODB_DATABASE", "mentoring")} != databases:
        problems.append(f"{where}: works on {env.get('MONGODB_DATABASE')}, not on {databases}")
    refs = [ref for j, c, ref in _job_mongodb_secrets(resources) if j is job and c is container]
    if not refs:
        return [*problems, f"{where}: reads MONGODB_URL from no Secret"]
    secret = refs[0]
    problems += [
        f"{where}: connects with {secret}, which Deployment {name} reads too"
        for ref, name in sorted(secrets)
        if ref == secret
    ]
    users = {
        u.get("connectionStringSecretName"): (replica_set, u)
        for replica_set in _of_kind(resources, "MongoDBCommunity")
        for u in replica_set["spec"].get("users", [])
    }
    if secret not in users:
        return [*problems, f"{where}: {secret} is the connection string of no MongoDB user"]
    replica_set, user = users[secret]
    custom = {
        (r.get("role"), r.get("db")): r
        for r in (replica_set["spec"].get("security") or {}).get("roles") or []
    }
    roles = [(r.get("name"), r.get("db")) for r in user.get("roles", [])]
    who = f"{overlay}: MongoDB user {user.get('name')}"
    if len(roles) != 1 or roles[0] not in custom or roles[0][1] not in databases:
        return [*problems, f"{who} has {roles}, not one role of its own in {sorted(databases)}"]
    role = custom[roles[0]]
    if role.get("roles"):
        problems.append(f"{who}: its role inherits {role['roles']}")
    wanted = dict.fromkeys(append_only_collections("mentoring"), INDEX_JOB_ACTIONS)
    granted: dict[str, set[str]] = {}
    for privilege in role.get("privileges") or []:
        resource = privilege.get("resource") or {}
        actions = set(privilege.get("actions") or [])
        if (
            set(resource) != {"db", "collection"}
            or resource["db"] not in databases
            or not (collection := resource["collection"])
        ):
            named = {key: resource[key] for key in sorted(resource)}
            problems.append(f"{who} may {sorted(actions)} on {named}, not one collection")
            continue
        granted.setdefault(str(collection), set()).update(actions)
    for collection in sorted(set(wanted) | set(granted)):
        want, have = wanted.get(collection, frozenset()), granted.get(collection, set())
        problems += [
            f"{who} may not {action} {collection}, which the index Job needs"
            for action in sorted(want - have)
        ] + [
            f"{who} may {action} {collection}, which the index Job does not need"
            for action in sorted(have - want)
        ]
    return problems


# --------------------------------------------------------------------------------------------
# Network policies: every connection between the workloads and the peers around them, allowed
# or not by the rendered NetworkPolicies (plus those Strimzi generates from the Kafka resource),
# compared with what each workload needs.

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
WEB = {"app.kubernetes.io/name": "web", "app.kubernetes.io/component": "web"}
"""The web app's pods, by the platform's label convention (its Deployment is added apart)."""


@dataclass(frozen=True)
class Endpoint:
    """A pod (``labels``, its namespace's labels, its named ports) or an outside address."""

    name: str
    ip: str
    labels: Mapping[str, str] | None = None
    namespace: str | None = None
    ports: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_pod(self) -> bool:
        return self.labels is not None


Port = tuple[str, int]
"""(protocol, number)."""


def _matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Kubernetes label selector semantics; an empty selector selects everything."""
    if selector is None:
        return True
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if (
            (operator == "In" and labels.get(key) not in values)
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


def _peer_matches(peer: Mapping[str, Any], endpoint: Endpoint, namespace: str) -> bool:
    if "ipBlock" in peer:
        address = ipaddress.ip_address(endpoint.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except") or []
        )
    if not endpoint.is_pod:
        return False
    assert endpoint.labels is not None
    if "namespaceSelector" in peer:
        in_namespace = _matches(
            peer["namespaceSelector"], {NAMESPACE_LABEL: endpoint.namespace or ""}
        )
    else:
        in_namespace = endpoint.namespace == namespace
    return in_namespace and _matches(peer.get("podSelector"), endpoint.labels)


def _port_matches(ports: list[Mapping[str, Any]] | None, destination: Endpoint, port: Port) -> bool:
    if not ports:
        return True
    protocol, number = port
    for item in ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        wanted = item.get("port")
        if wanted is None:
            return True
        start = destination.ports.get(wanted) if isinstance(wanted, str) else int(wanted)
        if start is not None and start <= number <= int(item.get("endPort", start)):
            return True
    return False


@dataclass
class Network:
    namespace: str
    policies: list[Resource]

    def _selecting(self, endpoint: Endpoint, kind: str) -> list[Resource]:
        if not endpoint.is_pod or endpoint.namespace != self.namespace:
            return []
        assert endpoint.labels is not None
        return [
            p
            for p in self.policies
            if kind in p["spec"].get("policyTypes", ["Ingress"])
            and _matches(p["spec"].get("podSelector") or {}, endpoint.labels)
        ]

    def _side(
        self, owner: Endpoint, other: Endpoint, port: Port, destination: Endpoint, kind: str
    ) -> bool:
        inside = owner.is_pod and owner.namespace == self.namespace
        policies = self._selecting(owner, kind)
        if not inside or not policies:
            return True
        key, peers = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        for policy in policies:
            for rule in policy["spec"].get(key) or []:
                if (
                    not rule.get(peers)
                    or any(_peer_matches(peer, other, self.namespace) for peer in rule[peers])
                ) and _port_matches(rule.get("ports"), destination, port):
                    return True
        return False

    def allows(self, source: Endpoint, destination: Endpoint, port: Port) -> bool:
        return self._side(source, destination, port, destination, "Egress") and self._side(
            destination, source, port, destination, "Ingress"
        )


def strimzi_policies(kafka: Resource, namespace: str) -> list[Resource]:
    """The ingress NetworkPolicy Strimzi generates for the Kafka nodes: each listener from its
    networkPolicyPeers (everyone without), the control plane (9090) from the nodes, replication
    (9091) from the nodes, the entity operator and the cluster operator."""
    cluster = kafka["metadata"]["name"]
    nodes = {"podSelector": {"matchLabels": {"strimzi.io/name": f"{cluster}-kafka"}}}
    rules: list[dict[str, Any]] = [
        {"from": [nodes], "ports": [{"port": 9090}]},
        {
            "from": [
                nodes,
                {"podSelector": {"matchLabels": {"strimzi.io/name": f"{cluster}-entity-operator"}}},
                {
                    "namespaceSelector": {},
                    "podSelector": {"matchLabels": {"strimzi.io/kind": "cluster-operator"}},
                },
            ],
            "ports": [{"port": 9091}],
        },
    ]
    for listener in kafka["spec"]["kafka"].get("listeners", []):
        rule: dict[str, Any] = {"ports": [{"port": int(listener["port"])}]}
        if listener.get("networkPolicyPeers"):
            rule["from"] = listener["networkPolicyPeers"]
        rules.append(rule)
    return [
        {
            "metadata": {
                "name": f"{cluster}-network-policy-kafka (Strimzi)",
                "namespace": namespace,
            },
            "spec": {
                "podSelector": {
                    "matchLabels": {
                        "strimzi.io/cluster": cluster,
                        "strimzi.io/name": f"{cluster}-kafka",
                    }
                },
                "policyTypes": ["Ingress"],
                "ingress": rules,
            },
        }
    ]


INTERNET = Endpoint("the internet (identity provider, e-mail relay, webhooks)", "203.0.113.10")
KUBERNETES_API = Endpoint("the Kubernetes API", "10.0.0.1")
OUTSIDE_PODS = {
    "ingress-controller": ("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}),
    "prometheus": ("monitoring", {"app.kubernetes.io/name": "prometheus"}),
    "keda": ("keda", {"app": "keda-operator"}),
    "kube-dns": ("kube-system", {"k8s-app": "kube-dns"}),
    "strimzi-cluster-operator": ("strimzi", {"strimzi.io/kind": "cluster-operator"}),
    "another-namespace": ("shop", {"app": "shop"}),
}
DNS: list[Port] = [("UDP", 53), ("TCP", 53)]
PROBED: set[Port] = {
    *DNS,
    *(("TCP", p) for p in (25, 80, 443, 587, 6443, 8080, 9090, 9091, 9092, 9093, 27017)),
}


def _endpoints(resources: list[Resource], namespace: str, cluster: str) -> dict[str, Endpoint]:
    """The pods of the namespace (the Deployments, the web app, Kafka's nodes and entity
    operator, MongoDB's members, and a stray pod no policy names), the pods around it, and two
    outside addresses."""
    pods: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    for deployment in _of_kind(resources, "Deployment"):
        template = deployment["spec"]["template"]
        ports = {
            p["name"]: int(p["containerPort"])
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
            if "name" in p
        }
        pods[deployment["metadata"]["name"]] = (dict(template["metadata"]["labels"]), ports)
    for job in _of_kind(resources, "Job"):
        pods[job["metadata"]["name"]] = (dict(job["spec"]["template"]["metadata"]["labels"]), {})
    if not any(_app_of(d) == "web" for d in _of_kind(resources, "Deployment")):
        pods["web"] = ({**WEB, "app.kubernetes.io/part-of": "mentorship"}, {"http": 8080})
    pods["kafka"] = (
        {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka",
         "strimzi.io/name": f"{cluster}-kafka", "strimzi.io/pool-name": "nodes"},
        {},
    )  # fmt: skip
    pods["kafka-entity-operator"] = (
        {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka",
         "strimzi.io/name": f"{cluster}-entity-operator"},
        {},
    )  # fmt: skip
    for replica_set in _of_kind(resources, "MongoDBCommunity"):
        pods["mongodb"] = ({"app": f"{replica_set['metadata']['name']}-svc"}, {})
    pods["stray-pod"] = ({"app": "debug-shell"}, {})
    endpoints = {
        name: Endpoint(name, f"10.244.0.{i + 1}", labels, namespace, ports)
        for i, (name, (labels, ports)) in enumerate(sorted(pods.items()))
    }
    for i, (name, (ns, labels)) in enumerate(sorted(OUTSIDE_PODS.items())):
        endpoints[name] = Endpoint(name, f"10.245.0.{i + 1}", labels, ns)
    endpoints["internet"] = INTERNET
    endpoints["kubernetes-api"] = KUBERNETES_API
    return endpoints


def required_flows(resources: list[Resource]) -> set[tuple[str, str, Port]]:
    """(source, destination, port) of every connection the platform needs in production."""
    kafka = _of_kind(resources, "Kafka")[0]
    listener_ports = [("TCP", int(x["port"])) for x in kafka["spec"]["kafka"].get("listeners", [])]
    deployments = {d["metadata"]["name"]: d for d in _of_kind(resources, "Deployment")}
    platform = {n for n, d in deployments.items() if _app_of(d) in APPS}
    services = {n for n in platform if _app_of(deployments[n]) in SERVICES}
    apis = {n for n in services if deployments[n]["spec"]["template"]["metadata"]["labels"].get(
        "app.kubernetes.io/component") == "api"}  # fmt: skip
    gateways = platform - services

    def http(name: str) -> Port:
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        return "TCP", next(
            int(p["containerPort"]) for p in container["ports"] if p["name"] == "http"
        )

    flows: set[tuple[str, str, Port]] = set()
    web = [n for n, d in deployments.items() if _app_of(d) == "web"] or ["web"]
    jobs = [j["metadata"]["name"] for j in _of_kind(resources, "Job")]
    namespace_pods = [*deployments, *jobs, *(["web"] if web == ["web"] else [])]
    namespace_pods += ["kafka", "kafka-entity-operator", "stray-pod"]
    if _of_kind(resources, "MongoDBCommunity"):
        namespace_pods.append("mongodb")
    flows |= {(pod, "kube-dns", port) for pod in namespace_pods for port in DNS}
    web_port = ("TCP", 8080) if web == ["web"] else http(web[0])
    flows |= {("ingress-controller", n, web_port) for n in web}
    flows |= {(w, g, http(g)) for w in web for g in gateways}  # its server passes them on
    flows |= {("prometheus", n, http(n)) for n in platform}
    flows |= {(g, api, http(api)) for g in gateways for api in apis}
    for port in listener_ports:
        flows |= {(n, "kafka", port) for n in gateways | services | {"keda"}}
    flows |= {(n, "mongodb", ("TCP", 27017)) for n in services | {"mongodb"}}
    flows |= {(j["metadata"]["name"], "mongodb", ("TCP", 27017)) for j in index_jobs(resources)}
    flows |= {(n, "internet", ("TCP", 443)) for n in gateways | apis}  # the JWKS
    for name in services:
        env = container_environment(
            resources, deployments[name]["spec"]["template"]["spec"]["containers"][0]
        )
        if env.get("SMTP_USERNAME"):  # the worker that sends e-mail, and webhooks
            flows |= {
                (name, "internet", ("TCP", int(env["SMTP_PORT"]))),
                (name, "internet", ("TCP", 443)),
            }
    flows |= {("kafka", "kafka", ("TCP", p)) for p in (9090, 9091)}
    flows |= {
        (n, "kafka", ("TCP", 9091)) for n in ("kafka-entity-operator", "strimzi-cluster-operator")
    }
    flows |= {
        (n, "kubernetes-api", ("TCP", p))
        for n in ("kafka-entity-operator", "mongodb")
        for p in (443, 6443)
    }
    return flows


def network_problems(overlay: str, resources: list[Resource]) -> list[str]:
    """Prod: a default deny in the namespace, every policy selecting some pod, and the
    connections allowed between the namespace's pods and everything around them exactly those
    the platform needs (the operands' own way to the Kubernetes API, any address on 443/6443,
    is not enumerated)."""
    if overlay != "prod":
        return []
    namespace = _of_kind(resources, "Namespace")[0]["metadata"]["name"]
    _, _, cluster = _kafka_config(resources)
    policies = _of_kind(resources, "NetworkPolicy")
    problems = []
    if not any(
        p["spec"].get("podSelector") in ({}, None)
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        problems.append(f"{overlay}: no NetworkPolicy denies all traffic by default")
    endpoints = _endpoints(resources, namespace, cluster)
    inside = {n for n, e in endpoints.items() if e.is_pod and e.namespace == namespace}
    for policy in policies:
        if not any(
            _matches(policy["spec"].get("podSelector") or {}, endpoints[n].labels or {})
            for n in inside
        ):
            problems.append(f"{overlay}: NetworkPolicy {policy['metadata']['name']} selects no pod")
    network = Network(
        namespace, policies + strimzi_policies(_of_kind(resources, "Kafka")[0], namespace)
    )
    needed = required_flows(resources)
    ports = set(PROBED) | {port for *_, port in needed}
    for e in endpoints.values():
        ports |= {("TCP", p) for p in e.ports.values()}
    operands = {"kafka", "kafka-entity-operator", "mongodb"}
    for source, destination, port in sorted(
        (s, d, p) for s in endpoints for d in endpoints for p in ports if s in inside or d in inside
    ):
        if source == destination and source not in operands:
            continue
        allowed = network.allows(endpoints[source], endpoints[destination], port)
        flow = f"{source} -> {destination} {port[0]}/{port[1]}"
        if (source, destination, port) in needed:
            if not allowed:
                problems.append(f"{overlay}: {flow} is refused, and is needed")
        elif allowed and not (source in operands and destination not in inside):
            problems.append(f"{overlay}: {flow} is allowed, and no one needs it")
    return problems
