#!/usr/bin/env bash
# CI step for several nodes over one PostgreSQL (issue 10): runs scripts/ci/multinode.py (two API
# nodes, three workers, a worker killed with -9, an API node restarted, a cancel across nodes)
# against STAMINA_TEST_POSTGRES_URL, or, without it, beside a throwaway PostgreSQL started by
# scripts/ci/postgres.sh. The python step is bounded by `timeout`; requests comes from pip if missing.
set -euo pipefail

cd "$(dirname "$0")/../.."
binary="${STAMINA_BIN:-$PWD/.build/debug/stamina}"
if [ ! -x "${binary}" ]; then
    echo "multinode: no stamina binary at ${binary}" >&2
    exit 1
fi
python3 -c 'import requests' 2>/dev/null || python3 -m pip install -q requests \
    || python3 -m pip install -q --break-system-packages requests
if [ -n "${STAMINA_TEST_POSTGRES_URL:-}" ]; then
    exec timeout 300 python3 scripts/ci/multinode.py "${binary}"
fi
exec bash scripts/ci/postgres.sh timeout 300 python3 scripts/ci/multinode.py "${binary}"
