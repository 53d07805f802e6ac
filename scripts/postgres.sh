#!/usr/bin/env bash
# Starts a private PostgreSQL for the issuer's tests and benchmarks, and prints its URL.
#
#   scripts/postgres.sh            # install if missing, init, start, create role/database
#   scripts/postgres.sh stop       # stop the private cluster
#   export TEMPID_TEST_POSTGRES_URL=$(scripts/postgres.sh | tail -n1)
#
# Idempotent: re-running with the cluster up only re-checks the role and database. The
# cluster lives in $TEMPID_PG_DIR (default /var/tmp/tempid-postgres), owned by the `postgres`
# user, listening on 127.0.0.1:$TEMPID_PG_PORT (default 5432, or the next free port).
# Run as root (it installs packages and switches to the postgres user) or as postgres.
set -euo pipefail

PG_DIR="${TEMPID_PG_DIR:-/var/tmp/tempid-postgres}"
PORT="${TEMPID_PG_PORT:-5432}"
ROLE=tempid
PASSWORD=tempid
DATABASE=tempid_test

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
    fi
}

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! BIN="$(find_bin)"; then
    log "PostgreSQL not found: installing from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql >&2
    BIN="$(find_bin)"
fi

if [ "${1:-}" = stop ]; then
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        as_postgres "$BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >&2
    fi
    exit 0
fi

mkdir -p "$PG_DIR"
chown postgres: "$PG_DIR" 2>/dev/null || true
chmod 0700 "$PG_DIR"

if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    log "initialising a cluster in $PG_DIR/data"
    as_postgres "$BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >&2
fi

port_in_use() {
    (echo >/dev/tcp/127.0.0.1/"$1") >/dev/null 2>&1
}

if as_postgres "$BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    PORT="$(sed -n '4p' "$PG_DIR/data/postmaster.pid")"
    log "already running on port $PORT"
else
    while port_in_use "$PORT"; do
        log "port $PORT is taken; trying $((PORT + 1))"
        PORT=$((PORT + 1))
    done
    log "starting on 127.0.0.1:$PORT"
    # Tuned for tests on a small machine: many short transactions, 200 concurrent clients.
    as_postgres "$BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$PG_DIR -c max_connections=400 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on" >&2
fi

psql_admin() {
    as_postgres "$BIN/psql" -h "$PG_DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    log "creating role $ROLE"
    psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
else
    psql_admin -c "ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
    log "creating database $DATABASE"
    psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
