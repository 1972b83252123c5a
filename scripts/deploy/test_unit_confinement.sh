#!/usr/bin/env bash
# The confinement deploy/systemd/stamina.service asks systemd for, emulated without systemd (a CI
# container has no systemd as PID 1): in a private mount namespace the whole file system is
# read-only but the data directory, /tmp is private, and the server runs as an unprivileged user
# with no_new_privs and no capabilities (ProtectSystem=strict, ReadWritePaths=, PrivateTmp=,
# User=, NoNewPrivileges=, CapabilityBoundingSet=). A job must still run to SUCCEEDED and
# /readyz must say ready. Needs root and mount namespaces; says it skipped without them.
# Usage: test_unit_confinement.sh [path/to/stamina]
set -euo pipefail
cd "$(dirname "$0")/../.."
stamina="$(realpath "${1:-.build/debug/stamina}")"
user=nobody
group="$(id -gn "${user}")"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
    echo "test_unit_confinement: SKIPPED (needs root and mount namespaces)"
    exit 0
fi

data="$(mktemp -d /var/tmp/stamina-confined-XXXXXX)"
client="$(mktemp /var/tmp/stamina-confined-client-XXXXXX.py)"
# The unprivileged user may not reach the checkout (a clone under /root): it runs a copy.
bin="$(mktemp -d /var/tmp/stamina-confined-bin-XXXXXX)"
trap 'rm -rf "${data}" "${client}" "${bin}"' EXIT
chmod 0755 "${bin}"
install -m 0755 "${stamina}" "${bin}/stamina"
stamina="${bin}/stamina"
# The client reads its model from there too: a checkout under /tmp is hidden by the private /tmp.
install -m 0644 Tests/Corpus/models/birth_death_finite.prism "${bin}/model.prism"
install -m 0644 Tests/Corpus/properties/birth_death_finite.csl "${bin}/properties.csl"
# The client: submits a job, waits for its end, asks /readyz; exits non-zero unless both are fine.
cat >"${client}" <<'PY'
import json, sys, time, urllib.request, uuid
base = f"http://127.0.0.1:{sys.argv[1]}"
boundary = uuid.uuid4().hex
parts = []
for name, path in (("model", sys.argv[2]), ("properties", sys.argv[3])):
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f\"\r\n\r\n".encode()
                 + open(path, "rb").read() + b"\r\n")
body = b"".join(parts) + f"--{boundary}--\r\n".encode()
request = urllib.request.Request(f"{base}/v1/jobs", data=body,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
job = json.load(urllib.request.urlopen(request, timeout=30))
headers = {"Authorization": f"Bearer {job['token']}"}
deadline = time.monotonic() + 120
state = job["state"]
while state not in ("SUCCEEDED", "FAILED", "CANCELLED") and time.monotonic() < deadline:
    time.sleep(0.2)
    state = json.load(urllib.request.urlopen(urllib.request.Request(f"{base}/v1/jobs/{job['id']}", headers=headers)))["state"]
ready = json.load(urllib.request.urlopen(f"{base}/readyz", timeout=30))
ok = state == "SUCCEEDED" and ready.get("status") == "ready"
print(f"  {'ok  ' if ok else 'FAIL'} confined server: job {state}, readyz {ready}")
sys.exit(0 if ok else 1)
PY
chown "${user}:${group}" "${data}"
chmod 0750 "${data}"

# Everything below runs in the new mount namespace only; nothing outside it changes.
export stamina data user group client bin
timeout 180 unshare -m bash -euo pipefail -c '
    # The checkout may itself live under /tmp, which the private /tmp below hides: leave it first.
    cd /
    mount --make-rprivate /
    mount --bind "${data}" "${data}"
    mount -o remount,bind,ro /
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    if touch /etc/stamina-confinement-probe 2>/dev/null; then
        echo "FAIL: / is still writable in the namespace"
        exit 1
    fi
    setpriv --reuid="${user}" --regid="${group}" --clear-groups --no-new-privs --inh-caps=-all \
        --bounding-set=-all "${stamina}" serve --listen 127.0.0.1:0 --data-dir "${data}" \
        >/tmp/serve.out 2>/tmp/serve.err &
    server=$!
    trap "kill -TERM ${server} 2>/dev/null || true; wait ${server} 2>/dev/null || true" EXIT
    for _ in $(seq 1 150); do grep -q listening /tmp/serve.out && break; sleep 0.2; done
    port="$(sed -n "s/.*listening on http:\/\/127.0.0.1://p" /tmp/serve.out)"
    if [ -z "${port}" ]; then
        echo "FAIL: the confined server did not start"
        cat /tmp/serve.err
        exit 1
    fi
    python3 "${client}" "${port}" "${bin}/model.prism" "${bin}/properties.csl"
'
echo "test_unit_confinement: passed"
