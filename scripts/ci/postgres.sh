#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests of the PostgreSQL job store (issue 10):
#   scripts/ci/postgres.sh COMMAND [ARGS...]
# installs Debian's PostgreSQL if missing (without starting the distribution's cluster), runs initdb
# into a temporary directory as the unprivileged `postgres` user (initdb refuses root), starts the
# server on a free loopback port with password (SCRAM) authentication, creates a database, runs
# COMMAND with STAMINA_TEST_POSTGRES_URL set to it, then stops the server and removes the directory
# on any exit. Exits with COMMAND's status; non-zero as well when PostgreSQL could not be started
# (COMMAND then still runs, and its PostgreSQL tests report that they were skipped).
set -uo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

pg_bin=""
find_bin() {
    for version in 15 16 17 14 13; do
        if [ -x "/usr/lib/postgresql/${version}/bin/initdb" ]; then
            pg_bin="/usr/lib/postgresql/${version}/bin"
            return 0
        fi
    done
    return 1
}

added_policy=""
work=""
started=0
cleanup() {
    if [ "${started}" -eq 1 ]; then
        as_owner "${pg_bin}/pg_ctl" -D "${work}/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [ -n "${work}" ]; then rm -rf "${work}"; fi
    if [ -n "${added_policy}" ]; then rm -f "${added_policy}"; fi
}
trap cleanup EXIT

# Runs a PostgreSQL program as the `postgres` user when this script is root, else as ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_postgres() {
    find_bin && return 0
    [ "$(id -u)" -eq 0 ] || { echo "postgres.sh: PostgreSQL is not installed and this is not root" >&2; return 1; }
    # The package would start its own cluster on port 5432: policy-rc.d forbids starting services.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        added_policy=/usr/sbin/policy-rc.d
    fi
    timeout 120 apt-get update -qq || true
    timeout 300 apt-get install -y -qq postgresql-15 >/dev/null \
        || timeout 300 apt-get install -y -qq postgresql >/dev/null || return 1
    find_bin
}

start_postgres() {
    install_postgres || return 1
    work=$(mktemp -d /tmp/stamina-postgres.XXXXXX)
    chmod 755 "${work}"
    local password
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "${password}" >"${work}/pwfile"
    mkdir "${work}/data" "${work}/socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "${work}"; fi
    as_owner "${pg_bin}/initdb" -D "${work}/data" -U stamina --pwfile="${work}/pwfile" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"${work}/initdb.log" 2>&1 \
        || { cat "${work}/initdb.log" >&2; return 1; }
    rm -f "${work}/pwfile"
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Durability is not under test here (the cluster is thrown away): fsync off makes the many
    # per-test databases cheap (benchmarks set STAMINA_POSTGRES_FSYNC=on). max_connections covers
    # the parallel tests' pools.
    local fsync="${STAMINA_POSTGRES_FSYNC:-off}"
    as_owner "${pg_bin}/pg_ctl" -D "${work}/data" -l "${work}/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p ${port} -k ${work}/socket -c fsync=${fsync} -c full_page_writes=${fsync} -c max_connections=500" \
        start >/dev/null || { cat "${work}/server.log" >&2; return 1; }
    started=1
    as_owner "${pg_bin}/createdb" -h "${work}/socket" -p "${port}" -U stamina stamina_test || return 1
    export STAMINA_TEST_POSTGRES_URL="postgres://stamina:${password}@127.0.0.1:${port}/stamina_test?sslmode=disable"
    echo "postgres.sh: PostgreSQL $("${pg_bin}/postgres" --version | awk '{print $3}') on 127.0.0.1:${port}" >&2
}

start_status=0
start_postgres || start_status=$?
if [ "${start_status}" -ne 0 ]; then
    echo "postgres.sh: PostgreSQL could not be started; running without STAMINA_TEST_POSTGRES_URL" >&2
fi
"$@"
status=$?
if [ "${status}" -eq 0 ] && [ "${start_status}" -ne 0 ]; then status=1; fi
exit "${status}"
