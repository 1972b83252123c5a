#!/usr/bin/env bash
# The web app's real-browser test: installs what is missing (Debian's chromium and chromedriver,
# selenium and pytest from PyPI; never a driver download), starts .build/debug/stamina serve on a
# free loopback port with a temporary data directory, runs scripts/browser with pytest, and stops
# the server. Screenshots of every page are left in .build/screenshots/ as CI artifacts.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=.build/debug/stamina
if [ ! -x "${binary}" ]; then
    echo "browser test: ${binary} is missing; build first" >&2
    exit 1
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! python3 -c 'import selenium, pytest' 2>/dev/null; then
    python3 -m pip install -q selenium pytest
fi

data=$(mktemp -d /tmp/stamina-browser-XXXXXX)
output="${data}/serve.out"
server=""
cleanup() {
    if [ -n "${server}" ]; then
        kill -TERM "${server}" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "${server}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${server}" 2>/dev/null || true
    fi
    rm -rf "${data}"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# Port 0: the server picks a free port and prints it first. Two workers, so a long job being
# cancelled does not hold up the others; a time limit, so a test that fails cannot leave one running.
# The admin token comes through the environment (STAMINA_ADMIN_TOKEN), not the command line.
admin_token="adm_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
STAMINA_ADMIN_TOKEN="${admin_token}" "${binary}" serve --listen 127.0.0.1:0 --data-dir "${data}/data" --set rate-limit=0 --set workers=2 \
    --set owner-quota=20 --set time-limit=120 >"${output}" 2>"${data}/serve.err" &
server=$!
url=""
for _ in $(seq 300); do
    url=$(sed -n 's/^stamina serve: listening on \(http:[^ ]*\).*/\1/p' "${output}" | head -n 1)
    [ -n "${url}" ] && break
    kill -0 "${server}" 2>/dev/null || break
    sleep 0.1
done
if [ -z "${url}" ]; then
    echo "browser test: the server did not start" >&2
    cat "${data}/serve.err" >&2
    exit 1
fi
echo "browser test: server at ${url}"

mkdir -p .build/screenshots
# Bounded inside the CI step's own timeout, so the server is always stopped by the trap above.
STAMINA_URL="${url}" STAMINA_TEST_ADMIN_TOKEN="${admin_token}" SCREENSHOT_DIR="$(pwd)/.build/screenshots" \
    timeout 280 python3 -m pytest -q -p no:cacheprovider scripts/browser
