#!/usr/bin/env bash
# Load benchmark of `stamina serve` on loopback (bounded: ~10 s per wrk run).
#   scripts/server/load-bench.sh [path/to/stamina (default .build/release/stamina)] [seconds per run, default 10]
# Measures: GET /v1/jobs/{id} (requests/s, latency percentiles), POST /v1/jobs of a small model
# (requests/s; workers=0 so only the API path is measured: parse, front-end check, files, insert),
# submit-to-running dispatch time (startedAt - createdAt of sequential jobs on an idle worker), and
# the legacy GET /myjobs of an address with 3 finished jobs.
# Targets: reads > 20,000/s at p99 < 5 ms; submissions > 500/s; dispatch < 20 ms; /myjobs > 10,000/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
STAMINA="${1:-.build/release/stamina}"
SECONDS_PER_RUN="${2:-10}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)"; exit 1; }
WORK="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
start_server() {  # $1 = data dir, rest = --set values
    local data="$1"; shift
    PORT="$(free_port)"
    local sets=()
    for s in "$@"; do sets+=(--set "$s"); done
    "$STAMINA" serve --listen "127.0.0.1:$PORT" --data-dir "$data" --set log-level=warning "${sets[@]}" >"$data.out" 2>"$data.err" &
    SERVER=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.1; done
    echo "server did not start"; exit 1
}
MODEL='ctmc\nconst int N = 20;\nmodule queue\n  s : [0..N] init 0;\n  [] s < N -> 2.0 : (s'"'"' = s + 1);\n  [] s > 0 -> 3.0 : (s'"'"' = s - 1);\nendmodule\nlabel \"full\" = s = N;\n'
BODY="{\"model\": \"$MODEL\", \"properties\": \"P=? [ F<=10 \\\"full\\\" ]\"}"

echo "== API server (workers=0, no rate limit, no quotas)"
start_server "$WORK/api" workers=0 rate-limit=0 owner-quota=100000000 owner-queued-quota=100000000 \
    system-quota=100000000
FIRST="$(curl -s -X POST -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$PORT/v1/jobs")"
TOKEN="$(echo "$FIRST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
ID="$(echo "$FIRST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"

echo "-- GET /v1/jobs/{id}"
wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/jobs/$ID" \
    | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"

echo "-- POST /v1/jobs (small model)"
cat >"$WORK/submit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = [[$BODY]]
LUA
wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/submit.lua" "http://127.0.0.1:$PORT/v1/jobs" \
    | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

echo "== dispatch (workers=1, sequential jobs on an idle worker)"
start_server "$WORK/dispatch" workers=1 rate-limit=0 owner-quota=1000 owner-queued-quota=1000 system-quota=1000
python3 - "$PORT" "$BODY" <<'PY'
import json, sys, time, urllib.request
from datetime import datetime
port, body = sys.argv[1], sys.argv[2].encode()
def call(method, path, data=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token: request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response: return json.load(response)
token, delays = None, []
for _ in range(50):
    job = call("POST", "/v1/jobs", body, token)
    token = token or job["token"]
    while job["state"] in ("QUEUED", "RUNNING"):
        time.sleep(0.01)
        job = call("GET", f"/v1/jobs/{job['id']}", token=token)
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))
    delays.append((parse(job["startedAt"]) - parse(job["createdAt"])).total_seconds() * 1000)
delays.sort()
print(f"dispatch ms over {len(delays)} jobs: p50 {delays[len(delays)//2]:.2f}, p90 {delays[int(len(delays)*0.9)]:.2f}, max {delays[-1]:.2f}")
PY

echo "== GET /myjobs (legacy, 3 finished jobs of this address)"
IDS=()
for _ in 1 2 3; do
    IDS+=("$(curl -s -X POST -H 'Content-Type: application/json' \
        -d "{\"create\": \"1\", \"model_file\": \"$MODEL\", \"prop_file\": \"P=? [ F<=10 \\\"full\\\" ]\"}" \
        "http://127.0.0.1:$PORT/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
for id in "${IDS[@]}"; do
    for _ in $(seq 1 600); do
        status="$(curl -s -d "{\"id\": \"$id\"}" -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/jobs" \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
        [ "$status" = "exited" ] && break
        sleep 0.1
    done
done
curl -s "http://127.0.0.1:$PORT/myjobs" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(len(j), "jobs:", [x["status"] for x in j])'
wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$PORT/myjobs" \
    | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
