#!/usr/bin/env bash
# Contract test: runs schemathesis against a running `stamina serve` and the OpenAPI document it
# serves at /v1/openapi.json. Starts its own server on a free loopback port with a temporary data
# directory and an admin token, and stops it afterwards.
#
#   scripts/server/contract-test.sh [path/to/stamina] [max seconds, default 120]
#
# One worker: with several, schemathesis itself hit a Python AST thread-safety error here.
# Checks: not_a_server_error, status_code_conformance, content_type_conformance,
# response_headers_conformance, response_schema_conformance. (negative_data_rejection is left out:
# the submission endpoint accepts numbers given as strings, as the legacy web form sends them.)
set -euo pipefail
cd "$(dirname "$0")/../.."
STAMINA="${1:-.build/debug/stamina}"
MAX_TIME="${2:-120}"
command -v schemathesis >/dev/null || pip install schemathesis
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
ADMIN="contract-admin-token"
"$STAMINA" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" --admin-token "$ADMIN" \
    --set rate-limit=0 --set system-quota=10000 --set owner-quota=10000 --set owner-queued-quota=10000 --set time-limit=5 >"$DATA/stdout.log" 2>"$DATA/stderr.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
done
schemathesis run "http://127.0.0.1:$PORT/v1/openapi.json" \
    --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Bearer $ADMIN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-time "$MAX_TIME" --workers 1 --suppress-health-check all
