#!/usr/bin/env bash
# CI step for the nginx deployment (issue 11): installs Debian's nginx, openssl and systemd's
# analyzer if missing (without starting any service), checks deploy/systemd/stamina.service with
# systemd-analyze verify, runs the server under the unit's confinement emulated
# (scripts/deploy/test_unit_confinement.sh), then scripts/deploy/test_nginx.py, both against
# .build/debug/stamina.
# Exits non-zero when the unit has any complaint or a deployment check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive

# What this script made, removed on any exit.
added_policy=""
unit_dir=""
cleanup() {
    if [ -n "${added_policy}" ]; then rm -f "${added_policy}"; fi
    if [ -n "${unit_dir}" ]; then rm -rf "${unit_dir}"; fi
}
trap cleanup EXIT

missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null || missing+=(openssl)
command -v systemd-analyze >/dev/null || missing+=(systemd)
if [ "${#missing[@]}" -gt 0 ]; then
    # Installing nginx must not start the distribution's nginx on port 80: policy-rc.d forbids it.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        added_policy=/usr/sbin/policy-rc.d
    fi
    apt-get -o DPkg::Lock::Timeout=120 update -qq
    apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}"
fi
export STAMINA_NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
"${STAMINA_NGINX}" -v

# systemd-analyze verify works offline (no systemd as PID 1 needed) but it also checks that
# ExecStart exists, so it reads a copy pointing at the binary just built. It only warns (exit 0)
# about unknown keys and bad values, so any output at all fails the step.
unit_dir="$(mktemp -d)"
sed "s#^ExecStart=/usr/local/bin/stamina#ExecStart=${PWD}/.build/debug/stamina#" \
    deploy/systemd/stamina.service >"${unit_dir}/stamina.service"
verify_output="$(systemd-analyze verify "${unit_dir}/stamina.service" 2>&1)" || {
    echo "${verify_output}"
    echo "systemd-analyze verify failed"
    exit 1
}
if [ -n "${verify_output}" ]; then
    echo "${verify_output}"
    echo "systemd-analyze verify complained about deploy/systemd/stamina.service"
    exit 1
fi
echo "systemd-analyze verify: deploy/systemd/stamina.service ok"
systemd-analyze security --offline=yes "${unit_dir}/stamina.service" 2>/dev/null | tail -n 1 || true

bash scripts/deploy/test_unit_confinement.sh .build/debug/stamina
python3 scripts/deploy/test_nginx.py .build/debug/stamina
