"""FerretDB on a PostgreSQL cluster of the stack's own: started, guarded, indexed and stopped.

These start a private FerretDB and PostgreSQL in a temporary state directory (a few seconds).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from mentorship_localstack import StackError, mongo, postgresql
from mentorship_localstack.private import PrivateStack
from mentorship_localstack.processes import is_alive

pytestmark = pytest.mark.integration


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateStack]:
    monkeypatch.delenv(mongo.BACKEND_VARIABLE, raising=False)
    stack = PrivateStack(tmp_path / "state")
    stack.start_mongo()
    try:
        yield stack
    finally:
        stack.clean()


def test_ferretdb_stores_its_data_in_a_postgresql_cluster_of_the_stack(
    private: PrivateStack,
) -> None:
    assert private.storage is not None
    layout = mongo.MongoLayout(private.paths).postgresql
    assert (layout.data / "PG_VERSION").exists()
    assert is_alive(private.storage["pid"], private.storage["marker"])
    client: MongoClient[dict[str, object]] = MongoClient(private.mongodb_url)
    try:
        client.stored.docs.insert_one({"_id": "a", "n": 1})
        assert client.stored.docs.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
    finally:
        client.close()

    pid = private.storage["pid"]
    marker = private.storage["marker"]
    private.down()

    assert not is_alive(pid, marker), "down stops PostgreSQL too"


def test_a_write_that_does_not_keep_the_revision_is_refused_by_the_server(
    private: PrivateStack,
) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(private.mongodb_url)
    try:
        docs = client.guarded.docs
        docs.insert_one({"_id": "a", "n": 0})

        docs.update_one({"_id": "a"}, {"$inc": {"n": 1, "_rev": 1}})
        with pytest.raises(OperationFailure, match="write conflict: stale _rev"):
            docs.update_one({"_id": "a"}, {"$inc": {"n": 1}})
        with pytest.raises(OperationFailure, match="write conflict: stale _rev"):
            docs.update_one({"_id": "a"}, {"$set": {"n": 9, "_rev": 5}})

        assert docs.find_one({"_id": "a"}) == {"_id": "a", "n": 1, "_rev": 1}
    finally:
        client.close()


def test_every_declared_index_gets_a_counterpart_the_equality_pushdown_can_use(
    private: PrivateStack,
) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(private.mongodb_url)
    try:
        docs = client.indexed.docs
        docs.create_index([("program_id", 1), ("state", 1)])
        docs.insert_many(
            [{"_id": f"d{i}", "program_id": f"p{i % 100}", "state": i % 3} for i in range(3000)]
        )
        plans = {
            name: client.indexed.command(
                "explain", {"find": "docs", "filter": query}, verbosity="queryPlanner"
            )
            for name, query in {
                "by id": {"_id": "d7"},
                "by both": {"program_id": "p3", "state": 0},
                "by the second": {"state": 1},
                "not indexed": {"other": "x"},
            }.items()
        }
    finally:
        client.close()

    nodes = {name: str(plan["queryPlanner"]) for name, plan in plans.items()}
    for name in ("by id", "by both", "by the second"):
        assert plans[name]["filterPushdown"] is True
        assert "Bitmap Index Scan" in nodes[name], name
        assert "Seq Scan" not in nodes[name], name
    assert "Seq Scan" in nodes["not indexed"], "the check can tell a scan"


def test_setting_up_the_database_again_keeps_it_as_it_was(private: PrivateStack) -> None:
    assert private.storage is not None

    postgresql.set_up_database(private.storage["port"])
    postgresql.set_up_database(private.storage["port"])

    client: MongoClient[dict[str, object]] = MongoClient(private.mongodb_url)
    try:
        client.again.docs.insert_one({"_id": "a"})
        with pytest.raises(OperationFailure, match="stale _rev"):
            client.again.docs.update_one({"_id": "a"}, {"$set": {"n": 1}})
    finally:
        client.close()


def test_sqlite_stays_available_behind_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(mongo.BACKEND_VARIABLE, "sqlite")
    stack = PrivateStack(tmp_path / "state")
    try:
        stack.start_mongo()
        assert stack.storage is None
        assert not (tmp_path / "state" / "postgresql").exists()
        client: MongoClient[dict[str, object]] = MongoClient(stack.mongodb_url)
        try:
            client.lite.docs.insert_one({"_id": "a"})
            client.lite.docs.update_one({"_id": "a"}, {"$set": {"n": 1}})  # no guard there
            assert client.lite.docs.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
        finally:
            client.close()
    finally:
        stack.clean()


def test_an_unknown_backend_is_refused_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mongo.BACKEND_VARIABLE, "oracle")

    with pytest.raises(StackError, match="MENTORSHIP_MONGO_BACKEND must be one of"):
        mongo.backend()


def test_a_cluster_the_server_user_cannot_reach_moves_to_the_temporary_directory(
    tmp_path: Path,
) -> None:
    closed = tmp_path / "closed"
    wanted = closed / "checkout" / ".stack" / "postgresql"
    wanted.mkdir(parents=True)
    closed.chmod(0o700)
    try:
        layout = postgresql.PostgresLayout(wanted, tmp_path / "pg.log")
        if os.geteuid() == 0:
            assert layout.root != wanted
            assert layout.root.name.startswith("mentorship-postgresql-")
        else:  # the cluster runs as ourselves: our own directories are reachable
            assert layout.root == wanted
    finally:
        closed.chmod(0o755)
