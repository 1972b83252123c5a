#!/usr/bin/env python3
"""Chaos test for `stamina serve`: submits jobs through both APIs while killing (SIGKILL) the
server, a worker's zygote and a job's engine at random moments, restarting the server after each server
kill, then checks that every accepted job ended exactly once with a reason, that no process of
ours is left (scanned in /proc), and that no accepted job was lost.

Standard library only. Bounded: stops killing after --kills kills or --seconds seconds, whichever
comes first, then waits at most --drain seconds for the queue to empty. Loopback only.
Exit status 0 when every check holds; the figures go to stdout (and --report as JSON).
"""

import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ADMIN = "chaos-admin-" + uuid.uuid4().hex
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Quick models and one that runs for seconds, so engines are there to be killed.
MODELS = [("enzyme", 3), ("cluster", 3), ("lotka_volterra", 2)]
# Submissions pause while this many accepted jobs have not ended, so the queue stays short enough
# to drain in time on two cores (the point is the kills, not a backlog).
MAX_OUTSTANDING = 6


def corpus(name):
    with open(os.path.join(REPO, "Tests/Corpus/models", name + ".prism")) as f:
        model = f.read()
    with open(os.path.join(REPO, "Tests/Corpus/properties", name + ".csl")) as f:
        properties = f.read()
    return model, properties


class Server:
    """One `stamina serve` process on a free loopback port, in a session of its own."""

    def __init__(self, binary, data, log):
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--set", "rate-limit=0",
             "--set", "admin-token=" + ADMIN, "--set", "workers=2", "--set", "owner-quota=10000",
             "--set", "system-quota=10000", "--set", "max-attempts=3", "--set", "time-limit=60"],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        line = b""
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise RuntimeError("the server did not print its port within 30 s")
            chunk = os.read(self.process.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError("the server exited at start: %r" % line)
            line += chunk
        self.port = int(line.decode().strip().rsplit(":", 1)[1])
        self.base = "http://127.0.0.1:%d" % self.port

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self.process.stdout.close()


def request(server, method, path, body=None, content_type=None, token=None, timeout=10):
    req = urllib.request.Request(server.base + path, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def submit_legacy(server, model, properties):
    boundary = "chaos" + uuid.uuid4().hex
    parts = [("create", None, "1"), ("model_file", "model.prism", model), ("prop_file", "props.csl", properties)]
    body = ""
    for name, filename, text in parts:
        body += "--%s\r\nContent-Disposition: form-data; name=\"%s\"" % (boundary, name)
        body += "; filename=\"%s\"\r\n\r\n" % filename if filename else "\r\n\r\n"
        body += text + "\r\n"
    body += "--%s--\r\n" % boundary
    status, data = request(server, "POST", "/jobs", body.encode(), "multipart/form-data; boundary=" + boundary)
    return status, json.loads(data).get("id") if status == 201 else None


def submit_v1(server, model, properties):
    body = json.dumps({"model": {"name": "model.prism", "content": model}, "properties": properties}).encode()
    status, data = request(server, "POST", "/v1/jobs", body, "application/json")
    return status, json.loads(data).get("id") if status in (201, 202) else None


def processes():
    """(pid, state, cwd, argv) of every live process we can read."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
            cwd = os.readlink("/proc/%s/cwd" % entry) if state != "Z" else ""
        except OSError:
            continue
        found.append((int(entry), state, cwd, argv))
    return found


def ours(data):
    """Live (not zombie) processes working in the data directory or naming it."""
    return [(pid, argv) for pid, state, cwd, argv in processes()
            if state not in ("Z", "X") and (cwd.startswith(data) or any(data in a for a in argv))]


def targets(data, kind):
    """`worker-exec`: a worker slot's zygote (the parent of its jobs' processes); `engine`: a job's
    process (it works in the job's scratch directory; the server's own engine runs in it without
    an exec, so its command line is the zygote's)."""
    jobs = data + "/jobs/"
    found = []
    for pid, state, cwd, argv in processes():
        if state in ("Z", "X"):
            continue
        if kind == "worker-exec" and "worker-exec" in argv and "--zygote" in argv and cwd.startswith(data):
            found.append(pid)
        if kind == "engine" and cwd.startswith(jobs) and ".sandbox-probe-" not in cwd:
            found.append(pid)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(REPO, ".build/debug/stamina"))
    parser.add_argument("--kills", type=int, default=60, help="stop after this many kills")
    parser.add_argument("--seconds", type=float, default=150, help="stop killing after this long")
    parser.add_argument("--drain", type=float, default=60, help="then wait at most this long for jobs to end")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--report", help="write the figures here as JSON")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    data = os.path.realpath(tempfile.mkdtemp(prefix="stamina-chaos-"))
    log = open(os.path.join(data, "..", os.path.basename(data) + ".log"), "wb")
    corpora = [(corpus(name), weight) for name, weight in MODELS]
    accepted = {}  # id -> api
    outstanding = set()
    lost = []
    refused = {}  # status -> count
    lost_replies = 0
    kills = {"server": 0, "worker-exec": 0, "engine": 0}
    restarts = 0
    started = time.monotonic()
    print("chaos: seed %d, data %s" % (seed, data), flush=True)
    server = Server(args.binary, data, log)
    failures = []
    try:
        while sum(kills.values()) < args.kills and time.monotonic() - started < args.seconds:
            for job in list(outstanding):
                try:
                    status, body = request(server, "GET", "/v1/jobs/" + job, token=ADMIN)
                except OSError:
                    break
                if status == 200 and json.loads(body).get("state") in TERMINAL:
                    outstanding.discard(job)
            for _ in range(max(0, min(rng.randint(1, 3), MAX_OUTSTANDING - len(outstanding)))):
                (model, properties), = rng.choices([c for c, _ in corpora], [w for _, w in corpora])
                api = rng.choice(["legacy", "v1"])
                try:
                    submit = submit_legacy if api == "legacy" else submit_v1
                    status, job = submit(server, model, properties)
                except (OSError, ValueError):
                    lost_replies += 1  # the server died under the request: it was never acknowledged
                    continue
                if job:
                    accepted[job] = api
                    outstanding.add(job)
                else:
                    refused[status] = refused.get(status, 0) + 1
            time.sleep(rng.uniform(0.1, 1.2))
            kind = rng.choices(["server", "worker-exec", "engine"], [1, 2, 2])[0]
            if kind == "server":
                server.kill()
                kills["server"] += 1
                server = Server(args.binary, data, log)
                restarts += 1
                continue
            candidates = targets(data, kind)
            if not candidates:
                continue
            try:
                os.kill(rng.choice(candidates), signal.SIGKILL)
                kills[kind] += 1
            except ProcessLookupError:
                pass
        killing_seconds = time.monotonic() - started

        # Drain: every accepted job must reach a terminal state.
        documents = {}
        deadline = time.monotonic() + args.drain
        pending = set(accepted)
        while pending and time.monotonic() < deadline:
            for job in list(pending):
                status, body = request(server, "GET", "/v1/jobs/" + job, token=ADMIN)
                if status == 404:
                    lost.append(job)
                    failures.append("job %s (%s) was accepted but is unknown" % (job, accepted[job]))
                    pending.discard(job)
                elif status == 200:
                    document = json.loads(body)
                    if document.get("state") in TERMINAL:
                        documents[job] = document
                        pending.discard(job)
            if pending:
                time.sleep(0.5)
        for job in sorted(pending):
            failures.append("job %s (%s) did not end within %.0f s" % (job, accepted[job], args.drain))

        # Exactly once, with a reason: the state, the reason and the result's own record agree.
        states, reasons = {}, {}
        for job, document in documents.items():
            state = document["state"]
            states[state] = states.get(state, 0) + 1
            reason, message = document.get("failureReason"), document.get("failureMessage")
            if state == "FAILED":
                reasons[reason] = reasons.get(reason, 0) + 1
                if not reason or not message:
                    failures.append("job %s FAILED without a reason and message: %r" % (job, document))
                if message and "could not be started" in message:
                    failures.append("job %s blames a start failure: %s" % (job, message))
            elif reason:
                failures.append("job %s is %s with a failure reason %s" % (job, state, reason))
            if document.get("attempts", 0) > 3:
                failures.append("job %s ran %s times (max-attempts 3)" % (job, document.get("attempts")))
            status, body = request(server, "GET", "/v1/jobs/%s/result" % job, token=ADMIN)
            if status == 200 and body:
                run = json.loads(body).get("run", {})
                if run.get("state") not in (None, state):
                    failures.append("job %s is %s but its result says %s" % (job, state, run.get("state")))

        # No engine or worker-exec left while the server still runs and nothing is queued.
        # (The server's zygotes stay for as long as it runs; its forked job processes do not.)
        zygote = ["--server-pid", str(server.process.pid)]
        zygotes = {
            pid for pid, state, cwd, argv in processes()
            if cwd == data + "/jobs" and "--zygote" in argv and argv[-2:] == zygote
        }
        lingering = [(pid, argv) for pid, argv in ours(data) if pid != server.process.pid and pid not in zygotes]
        if lingering:
            failures.append("processes left while idle: %r" % lingering)
        server.stop()
        orphans = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            orphans = ours(data)
            if not orphans:
                break
            time.sleep(0.1)
        if orphans:
            failures.append("orphan processes after the server stopped: %r" % orphans)
    except BaseException:
        server.kill()
        raise

    figures = {
        "seed": seed, "killSeconds": round(killing_seconds, 1), "kills": kills,
        "killsSurvived": sum(kills.values()), "serverRestarts": restarts,
        "jobsAccepted": len(accepted),
        "jobsAcceptedByAPI": {api: list(accepted.values()).count(api) for api in ("legacy", "v1")},
        "submissionsRefused": refused, "submissionsUnanswered": lost_replies,
        "terminalStates": states, "failureReasons": {str(k): v for k, v in reasons.items()},
        "jobsLost": len(lost), "jobsStuck": len(pending),
        "orphans": len(orphans), "failures": len(failures),
    }
    print(json.dumps(figures, indent=2, sort_keys=True))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(figures, f, indent=2, sort_keys=True)
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    if not failures:
        shutil.rmtree(data, ignore_errors=True)
    print("chaos: %d passed, %d failed" % (1 if not failures else 0, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
