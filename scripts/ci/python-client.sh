#!/usr/bin/env bash
# CI step for the Python client (clients/python): install it the way a user would
# (`pip install ./clients/python`, with its one dependency from PyPI) into a fresh virtual
# environment, then run its pytest suite against real `stamina serve` processes started by the
# tests from STAMINA_BIN. pytest's exit code 5 ("no tests collected") counts as a failure, and so
# does any test skipped for want of the binary.
set -euo pipefail

cd "$(dirname "$0")/../.."
export STAMINA_BIN="${STAMINA_BIN:-$PWD/.build/debug/stamina}"
if [ ! -x "${STAMINA_BIN}" ]; then
    echo "python-client: no stamina binary at ${STAMINA_BIN}" >&2
    exit 1
fi

venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "${venv}")"' EXIT
if ! python3 -m venv "${venv}"; then
    # Debian's system python3 keeps venv in a separate package.
    apt-get update -qq && apt-get install -y -qq python3-venv
    python3 -m venv "${venv}"
fi
"${venv}/bin/python" -m pip install -q --disable-pip-version-check ./clients/python pytest
# Installed, not imported from the source tree: the tests see what a user gets.
"${venv}/bin/python" -c 'import stamina_client, sys; print("stamina_client", stamina_client.__version__, "from", stamina_client.__file__)'

status=0
(cd clients/python/tests && "${venv}/bin/python" -m pytest -q -rs -p no:cacheprovider .) | tee "${venv}.log" || status=${PIPESTATUS[0]}
if [ "${status}" -eq 5 ]; then
    echo "python-client: pytest collected no tests" >&2
    exit 1
fi
if [ "${status}" -eq 0 ] && grep -q "^SKIPPED" "${venv}.log"; then
    echo "python-client: tests were skipped although STAMINA_BIN is set" >&2
    exit 1
fi
exit "${status}"
