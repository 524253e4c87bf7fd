#!/usr/bin/env bash
# FerretDB 1.24 on PostgreSQL, for benchmarks that compare the two FerretDB backends.
#
#   bench/ferretdb-postgresql.sh start   # prints the MONGODB_URL to use
#   BENCH_PG_ID_INDEX=gin bench/ferretdb-postgresql.sh start   # with usable _id indexes
#   bench/ferretdb-postgresql.sh stop
#
# The platform's tests and `make dev` use FerretDB on SQLite (or a mongod on PATH); this starts a
# second server on 127.0.0.1:${BENCH_PG_FERRETDB_PORT:-47017}, backed by a throw-away PostgreSQL
# cluster (Debian's postgresql package; durability off: fsync and synchronous_commit) on
# ${BENCH_PG_PORT:-55432}. PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user. Its data lives in .stack/bench-postgresql/ and goes away with `stop`.
# BENCH_PG_ID_INDEX=gin installs bench/ferretdb-id-index.sql (an index FerretDB's lookups by
# `_id` can use) in the FerretDB database; `none` (the default) removes it.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="$ROOT/.stack/bench-postgresql"
PG_PORT="${BENCH_PG_PORT:-55432}"
FERRET_PORT="${BENCH_PG_FERRETDB_PORT:-47017}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    [ -x "$PG_BIN/postgres" ] || { echo "PostgreSQL server not found: apt-get install postgresql" >&2; exit 1; }
    ferretdb="$(cd "$ROOT" && uv run --locked python -c '
from mentorship_localstack.mongo import MongoLayout, ensure_ferretdb
from mentorship_localstack.paths import StackPaths
print(ensure_ferretdb(MongoLayout(StackPaths.from_environment())))')"
    mkdir -p "$STATE"
    [ "$(id -u)" = 0 ] && chown postgres "$STATE"
    if [ ! -f "$STATE/data/PG_VERSION" ]; then
        as_pg "$PG_BIN/initdb" -D "$STATE/data" -U postgres --auth=trust >/dev/null
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$STATE/data" -l "$STATE/postgresql.log" -w start -o \
        "-p $PG_PORT -k $STATE -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=512MB" >/dev/null
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "select 1 from pg_database where datname='ferretdb'" | grep -q 1 \
        || "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database ferretdb"
    case "${BENCH_PG_ID_INDEX:-none}" in
    gin) "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -d ferretdb \
            -c "set client_min_messages = warning" -f "$ROOT/bench/ferretdb-id-index.sql" ;;
    none) "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -d ferretdb \
            -c "set client_min_messages = warning" -c "drop event trigger if exists ferretdb_id_gin" ;;
    *) echo "BENCH_PG_ID_INDEX: gin or none" >&2; exit 2 ;;
    esac
    setsid "$ferretdb" --handler=pg \
        "--postgresql-url=postgres://postgres@127.0.0.1:$PG_PORT/ferretdb?pool_max_conns=300" \
        "--listen-addr=127.0.0.1:$FERRET_PORT" "--state-dir=$STATE" --telemetry=disable \
        --debug-addr=- --log-level=warn >"$STATE/ferretdb.log" 2>&1 </dev/null &
    echo $! >"$STATE/ferretdb.pid"
    echo "MONGODB_URL=mongodb://127.0.0.1:$FERRET_PORT/"
    ;;
stop)
    [ -f "$STATE/ferretdb.pid" ] && kill "$(cat "$STATE/ferretdb.pid")" 2>/dev/null || true
    [ -f "$STATE/data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$STATE/data" -m fast stop >/dev/null || true
    rm -rf "$STATE"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
