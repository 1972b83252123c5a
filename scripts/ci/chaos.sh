#!/usr/bin/env bash
# CI step: the chaos test (scripts/chaos/chaos.py) against the debug build. It kills (-9) the
# server, worker-execs and engines at random while jobs are submitted through both APIs, then
# checks every job ended once with a reason, no orphan process, no lost job. Bounded: at most
# 60 kills or 150 s of killing, 60 s to drain, and a hard 240 s timeout around it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .build
timeout 240 python3 scripts/chaos/chaos.py --binary .build/debug/stamina --kills 60 --seconds 150 --drain 60 \
    --report .build/chaos-figures.json
