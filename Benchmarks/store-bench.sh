#!/usr/bin/env bash
# The job store alone, PostgreSQL against SQLite, in one run on one machine (issue 10):
#   Benchmarks/store-bench.sh [--queued N] [--claims N] [--readers N] [--read-seconds S]
# builds the release binary if missing, starts a throwaway PostgreSQL 15 (scripts/ci/postgres.sh,
# with fsync ON so its commits are as durable as the SQLite store's), creates an empty database and
# runs `stamina store-bench` on it, then on a new SQLite file. Prints one line per store.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=.build/release/stamina
if [ ! -x "${binary}" ]; then swift build -c release --product stamina; fi
export STAMINA_POSTGRES_FSYNC=on
bash scripts/ci/postgres.sh bash -c '
    set -euo pipefail
    base="${STAMINA_TEST_POSTGRES_URL%%\?*}"
    database="${base%/*}/stamina_bench_$$"
    psql "${base}" -qc "CREATE DATABASE stamina_bench_$$" >/dev/null
    "$0" store-bench --database "${database}?sslmode=disable" "${@}"
    directory=$(mktemp -d)
    "$0" store-bench --data-dir "${directory}" "${@}"
    rm -rf "${directory}"
' "${binary}" "$@"
