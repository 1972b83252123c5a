#!/usr/bin/env bash
# Benchmarks: build our release binary, then measure it against Storm and the published STAMINA
# figures (Benchmarks/bench_vs_storm.py). Prints Markdown for BENCHMARKS.md.
# Usage: Benchmarks/run.sh [--quick] [--skip-big] [--only ab|c]
#        Benchmarks/run.sh --qvbs [FOLDER ...]   (QVBS CTMCs, exact and truncated vs Storm: bench_qvbs.py)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:/opt/swift/bin:$PATH"
python3 -c 'import stormpy' 2>/dev/null || python3 -m pip install -q stormpy
swift build -c release --product stamina >&2
if [ "${1:-}" = "--qvbs" ]; then
    shift
    exec python3 Benchmarks/bench_qvbs.py "$(swift build -c release --show-bin-path)/stamina" "$@"
fi
exec python3 Benchmarks/bench_vs_storm.py "$(swift build -c release --show-bin-path)/stamina" "$@"
