#!/usr/bin/env bash
# Reads of one API node, PostgreSQL against SQLite, in one run (issue 10):
#   scripts/server/read-bench.sh [--seconds S] [--streams N] STAMINA_BINARY...
# For each binary (e.g. a release build of main, then one of a branch): a server with workers=0 on
# a fresh PostgreSQL database, then on a fresh SQLite data directory. Each gets one job, then
#   - `wrk -t2 -c32` on GET /v1/jobs/{id} for S seconds (default 8): requests/s and p50/p99;
#   - N idle event streams (default 1000) on that QUEUED job, held 10 s: the transactions (each
#     query of the store is one) PostgreSQL counted meanwhile (pg_stat_database.xact_commit, less a
#     10 s baseline without streams), and the server's CPU time (user+sys) meanwhile. A backend
#     reports its counts up to 10 s late when idle, so each window starts 11 s after the load
#     before it.
# PostgreSQL 15 comes from scripts/ci/postgres.sh (fsync on), on loopback, stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=8
streams=1000
while [ "$#" -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --streams) streams="$2"; shift 2 ;;
        *) break ;;
    esac
done
[ "$#" -ge 1 ] || { echo "usage: $0 [--seconds S] [--streams N] STAMINA_BINARY..." >&2; exit 2; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)" >&2; exit 1; }
binaries=()
for binary in "$@"; do binaries+=("$(readlink -f "${binary}")"); done

if [ -z "${STAMINA_TEST_POSTGRES_URL:-}" ]; then
    export STAMINA_POSTGRES_FSYNC=on
    exec bash scripts/ci/postgres.sh bash "$0" --seconds "${seconds}" --streams "${streams}" "${binaries[@]}"
fi

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "${server}" ]; then kill "${server}" 2>/dev/null || true; wait "${server}" 2>/dev/null || true; fi
    rm -rf "${work}"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
base="${STAMINA_TEST_POSTGRES_URL%%\?*}"
admin="${base%/*}"

start_server() {  # $1 binary, $2 data dir, rest: --set values
    local binary="$1" data="$2"
    shift 2
    port=$(free_port)
    local sets=()
    for s in "$@"; do sets+=(--set "$s"); done
    "${binary}" serve --listen "127.0.0.1:${port}" --data-dir "${data}" --set log-level=warning --set workers=0 \
        --set rate-limit=0 --set max-connections=5000 "${sets[@]}" >"${data}.out" 2>"${data}.err" &
    server=$!
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null && return; sleep 0.1; done
    echo "server did not start"; cat "${data}.err"; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/${server}/stat"; }
commits() {  # $1 database
    psql "${admin}/$1" -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
}

measure() {  # $1 label, $2 database name or "", then the server is running on ${port}
    local label="$1" database="$2"
    local reply token id
    reply=$(curl -s -X POST -H 'Content-Type: application/json' \
        -d '{"model": "ctmc\nmodule m\n  s : [0..1] init 0;\n  [] s=0 -> 1.0 : (s'"'"'=1);\nendmodule\n", "properties": "P=? [ F<=1 s=1 ]"}' \
        "http://127.0.0.1:${port}/v1/jobs")
    token=$(echo "${reply}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    id=$(echo "${reply}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    local out
    out=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer ${token}" \
        "http://127.0.0.1:${port}/v1/jobs/${id}")
    local rate p50 p99 errors
    rate=$(echo "${out}" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "${out}" | awk '$1 == "50%" {print $2}')
    p99=$(echo "${out}" | awk '$1 == "99%" {print $2}')
    errors=$(echo "${out}" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ' || true)
    echo "${label}: GET /v1/jobs/{id}: ${rate} req/s, p50 ${p50}, p99 ${p99} ${errors}"
    # Idle event streams: baseline 10 s without streams, then 10 s with them.
    local before_q before_t after_q after_t baseline=""
    if [ -n "${database}" ]; then
        sleep 11
        before_q=$(commits "${database}")
        sleep 10
        after_q=$(commits "${database}")
        baseline=$((after_q - before_q))
    fi
    python3 - "${port}" "${token}" "${id}" "${streams}" "${work}/streams.ready" <<'PY' &
import socket, sys, time
port, token, job, count, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
request = (f"GET /v1/jobs/{job}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
           "Accept: text/event-stream\r\n\r\n").encode()
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    held.append(s)
for s in held:
    s.settimeout(30)
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit(f"stream refused: {head[:80]!r}")
open(ready, "w").close()
time.sleep(3600)
PY
    local client=$!
    for _ in $(seq 1 600); do [ -e "${work}/streams.ready" ] && break; sleep 0.1; done
    [ -e "${work}/streams.ready" ] || { echo "the ${streams} streams did not open"; exit 1; }
    sleep 11
    before_t=$(cpu_ticks)
    [ -n "${database}" ] && before_q=$(commits "${database}")
    sleep 10
    after_t=$(cpu_ticks)
    local cpu
    cpu=$(python3 -c "import os; print(f'{(${after_t} - ${before_t}) / os.sysconf(\"SC_CLK_TCK\"):.2f}')")
    if [ -n "${database}" ]; then
        after_q=$(commits "${database}")
        echo "${label}: ${streams} idle event streams, 10 s: $((after_q - before_q - baseline)) queries beyond the ${baseline} of 10 s without them; server CPU ${cpu} s"
    else
        echo "${label}: ${streams} idle event streams, 10 s: server CPU ${cpu} s"
    fi
    kill "${client}" 2>/dev/null || true
    wait "${client}" 2>/dev/null || true
    rm -f "${work}/streams.ready"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
index=0
for binary in "${binaries[@]}"; do
    index=$((index + 1))
    name="stamina_read_$$_${index}"
    psql "${admin}/postgres" -qc "CREATE DATABASE ${name}" >/dev/null 2>&1 \
        || psql "${base}" -qc "CREATE DATABASE ${name}" >/dev/null
    mkdir -p "${work}/pg${index}" "${work}/sqlite${index}"
    start_server "${binary}" "${work}/pg${index}" "database=${admin}/${name}?sslmode=disable"
    measure "${binary} PostgreSQL" "${name}"
    kill "${server}"; wait "${server}" 2>/dev/null || true; server=""
    start_server "${binary}" "${work}/sqlite${index}"
    measure "${binary} SQLite" ""
    kill "${server}"; wait "${server}" 2>/dev/null || true; server=""
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
