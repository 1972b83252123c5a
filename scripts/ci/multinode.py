#!/usr/bin/env python3
"""Several `stamina serve` nodes over one PostgreSQL (issue 10), as separate processes on loopback:
two API nodes (--role api) and three worker nodes (--role worker). Jobs are submitted alternately to
both API nodes through both APIs (legacy multipart `/jobs` and `/v1/jobs`); meanwhile a worker is
killed with -9 in the middle of a job, an API node is restarted, and a cancel is sent to the API
node the job was not submitted to. Then: every job ended exactly once, with its own result readable
from both API nodes; no run recorded twice (attempts, the result's attempt, one set of progress
events); no engine or worker-exec process left; the API nodes' data directories hold no job files.

The engine is the real one behind a wrapper that first sleeps as long as the model says; each
model has its own rate r, so each job's answer (1 - exp(-r)) is its own. Needs STAMINA_TEST_POSTGRES_URL (scripts/ci/multinode.sh starts a
PostgreSQL through scripts/ci/postgres.sh); prints that it was skipped without it.

usage: multinode.py [STAMINA_BINARY]
"""
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

ADMIN = "multinode-admin"
JOBS = 40
# The real engine, after a pause the model asks for (so that kills and cancels land mid-job).
ENGINE = r"""#!/bin/bash
# args: check MODEL PROPS [options]
seconds=$(sed -n 's|^// SECONDS \(.*\)$|\1|p' "$2")
echo "[INFO]: start" >&2
sleep "$seconds" &
wait
exec STAMINA "$@"
"""
PROPERTIES = "P=? [ F<=1 s=1 ]\n"


def model(seconds, value):
    """A CTMC whose answer is its own: P(F<=1 s=1) = 1 - exp(-rate)."""
    return (
        "ctmc\n// SECONDS %s\nconst double r = %s;\nmodule m\n  s : [0..1] init 0;\n  [] s = 0 -> r : (s' = 1);\n"
        "endmodule\n" % (seconds, value)
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One `stamina serve` process; its stdout's first line names the port."""

    def __init__(self, binary, role, database, engine, base, name, extra=()):
        self.binary, self.role, self.database, self.engine = binary, role, database, engine
        self.name = name
        self.data = os.path.join(base, name)
        os.makedirs(self.data, exist_ok=True)
        self.extra = list(extra)
        self.process = None
        self.port = None
        self.start()

    def start(self):
        port = self.port or free_port()
        arguments = [
            self.binary, "serve", "--role", self.role, "--database", self.database, "--data-dir", self.data,
            "--listen", "127.0.0.1:%d" % port, "--engine", self.engine, "--set", "rate-limit=0",
            "--set", "admin-token=" + ADMIN, "--set", "node-id=" + self.name,
            "--set", "heartbeat-interval=0.5", "--set", "lease=3", "--set", "max-attempts=3",
            "--set", "owner-quota=1000", "--set", "owner-queued-quota=1000", "--set", "system-quota=1000",
        ] + self.extra
        log = open(os.path.join(self.data, "server.log"), "ab")
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=log)
        line = self.process.stdout.readline().decode()
        if "listening on" not in line:
            raise SystemExit("%s did not start: %r (see %s/server.log)" % (self.name, line, self.data))
        self.port = int(line.rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def processes():
    """(pid, ppid, cwd, cmdline) of every process we can see."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            cwd = os.readlink("/proc/%s/cwd" % entry)
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            found.append((int(entry), ppid, cwd, cmdline))
        except (OSError, ValueError):
            continue
    return found


def wait_for(what, timeout, condition):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit("timed out waiting for " + what)


def main():
    database = os.environ.get("STAMINA_TEST_POSTGRES_URL", "")
    if not database:
        print("multinode: skipped (STAMINA_TEST_POSTGRES_URL is not set)")
        return 0
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/stamina")
    base = tempfile.mkdtemp(prefix="stamina-multinode-")
    os.chmod(base, 0o755)  # the engine may run as the sandbox user
    engine = os.path.join(base, "engine.sh")
    with open(engine, "w") as f:
        f.write(ENGINE.replace("STAMINA", "'%s'" % binary))
    os.chmod(engine, 0o755)
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)
            print("FAIL: " + message)

    nodes = []
    try:
        apis = [Node(binary, "api", database, engine, base, "api%d" % i) for i in (1, 2)]
        nodes += apis
        workers = [
            Node(binary, "worker", database, engine, base, "worker%d" % i, ["--set", "workers=2"]) for i in (1, 2, 3)
        ]
        nodes += workers
        session = requests.Session()

        jobs = []  # dicts: id, value, api (index), kind, token

        def submit(index):
            api = apis[index % 2]
            value = "%.2f" % ((index + 1) / 10.0)
            seconds = "30" if index == 5 else ("%.1f" % (1.0 + (index % 4) * 0.5))
            text = model(seconds, value)
            if index % 4 < 2:  # legacy multipart form
                reply = session.post(
                    api.url + "/jobs",
                    data={"create": "1"},
                    files={"model_file": ("m.prism", text), "prop_file": ("p.csl", PROPERTIES)},
                    timeout=30,
                )
                check(reply.status_code == 201, "legacy submit to %s: %s %s" % (api.name, reply.status_code, reply.text))
                job = {"id": reply.json()["id"], "token": None, "kind": "legacy"}
            else:
                reply = session.post(
                    api.url + "/v1/jobs",
                    json={"model": {"name": "m.prism", "content": text}, "properties": PROPERTIES},
                    timeout=30,
                )
                check(reply.status_code == 202, "v1 submit to %s: %s %s" % (api.name, reply.status_code, reply.text))
                body = reply.json()
                job = {"id": body["id"], "token": body["token"], "kind": "v1"}
            job.update(value=value, api=index % 2, index=index)
            jobs.append(job)

        def state(job, api):
            reply = session.get(
                api.url + "/v1/jobs/" + job["id"], headers={"Authorization": "Bearer " + ADMIN}, timeout=30
            )
            return reply.json() if reply.status_code == 200 else None

        started = time.monotonic()
        for index in range(JOBS // 2):
            submit(index)

        # Kill -9 a worker in the middle of a job: one whose zygote's child works in a scratch dir.
        # Jobs of 2 s or more (index % 4 >= 2): the kill lands well before their engine ends.
        long_enough = {job["id"] for job in jobs if job["index"] % 4 >= 2 and job["index"] != 5}

        def running_on(worker):
            # A job's process is a child of one of the worker's zygotes.
            table = processes()
            zygotes = {pid for pid, ppid, _, _ in table if ppid == worker.process.pid}
            return {
                os.path.basename(cwd).split(".")[0]
                for pid, ppid, cwd, _ in table
                if ppid in zygotes and "/jobs/" in cwd
            }

        victim = wait_for(
            "a worker running a long job", 60, lambda: next((w for w in workers if running_on(w) & long_enough), None)
        )
        lost = running_on(victim)
        lost_job = next(iter(lost & long_enough))
        victim.stop(signal.SIGKILL)
        print("killed %s (-9) while it ran %s" % (victim.name, ", ".join(sorted(lost))))

        # Restart an API node while jobs run; clients go on with it.
        apis[1].stop()
        apis[1].start()
        print("restarted api2 on port %d" % apis[1].port)

        for index in range(JOBS // 2, JOBS):
            submit(index)

        # Cancel the long job through the API node it was not submitted to.
        long_job = next(job for job in jobs if job["index"] == 5)
        other = apis[1 - long_job["api"]]
        wait_for("the long job running", 60, lambda: (state(long_job, other) or {}).get("state") == "RUNNING")
        wait_for(
            "the long job's engine",
            30,
            lambda: any(cwd.rsplit("/", 1)[-1].startswith(long_job["id"] + ".") for _, _, cwd, _ in processes()),
        )
        cancel_sent = time.monotonic()
        reply = session.post(
            other.url + "/v1/jobs/%s/cancel" % long_job["id"], headers={"Authorization": "Bearer " + ADMIN}, timeout=30
        )
        check(reply.status_code in (200, 202), "cancel through %s: %s" % (other.name, reply.status_code))
        wait_for(
            "the cancelled run to stop",
            10,
            lambda: not any(cwd.rsplit("/", 1)[-1].startswith(long_job["id"] + ".") for _, _, cwd, _ in processes()),
        )
        stop_seconds = time.monotonic() - cancel_sent
        print("cancel on %s stopped the run on its worker after %.2f s" % (other.name, stop_seconds))
        check(stop_seconds < 3.0, "the cancelled run stopped after %.2f s" % stop_seconds)

        def all_terminal():
            states = [(state(job, apis[0]) or {}).get("state") for job in jobs]
            return all(s in ("SUCCEEDED", "FAILED", "CANCELLED") for s in states)

        wait_for("every job terminal", 180, all_terminal)
        elapsed = time.monotonic() - started
        print("%d jobs terminal after %.1f s" % (len(jobs), elapsed))

        # Every job once, its own result, from both API nodes.
        for job in jobs:
            documents = [state(job, api) for api in apis]
            check(documents[0] == documents[1], "job %s differs between the API nodes" % job["id"])
            document = documents[0] or {}
            expected = "CANCELLED" if job["index"] == 5 else "SUCCEEDED"
            check(document.get("state") == expected, "job %s is %s, expected %s" % (job["id"], document, expected))
            if job["id"] == lost_job:
                check(document.get("attempts") == 2, "the job of the killed worker ran %s times" % document.get("attempts"))
            elif job["id"] in lost:  # a short one may have finished just before the kill
                check(document.get("attempts") in (1, 2), "a job of the killed worker ran %s times" % document.get("attempts"))
            elif job["index"] != 5:
                check(document.get("attempts") == 1, "job %s ran %s times" % (job["id"], document.get("attempts")))
            if expected != "SUCCEEDED":
                continue
            for api in apis:
                headers = {"Authorization": "Bearer " + (job["token"] or ADMIN)}
                result = session.get(api.url + "/v1/jobs/%s/result" % job["id"], headers=headers, timeout=30)
                check(result.status_code == 200, "result of %s from %s: %s" % (job["id"], api.name, result.status_code))
                body = result.json() if result.status_code == 200 else {}
                if "properties" not in body:
                    check(False, "result of %s from %s has no properties: %s" % (job["id"], api.name, result.text[:300]))
                else:
                    exact = 1 - math.exp(-float(job["value"]))
                    pmin, pmax = body["properties"][0]["pmin"], body["properties"][0]["pmax"]
                    check(
                        pmin <= exact + 1e-9 and exact - 1e-9 <= pmax and pmax - pmin < 1e-3,
                        "job %s: [%s, %s] is not its own answer %s" % (job["id"], pmin, pmax, exact),
                    )
                    check(
                        body["run"]["attempt"] == document.get("attempts"),
                        "job %s: the result of attempt %s was recorded for attempt %s"
                        % (job["id"], body["run"]["attempt"], document.get("attempts")),
                    )
                artifact = session.get(
                    api.url + "/v1/jobs/%s/artifacts/transitions.txt" % job["id"], headers=headers, timeout=30
                )
                check(
                    artifact.status_code == 200 and artifact.text.strip() != ""
                    and artifact.text == job.setdefault("transitions", artifact.text),
                    "artifact of %s from %s: %s %r" % (job["id"], api.name, artifact.status_code, artifact.text[:80]),
                )
                events = session.get(api.url + "/v1/jobs/%s/events" % job["id"], headers=headers, timeout=30).text
                check(
                    events.count("event: property\n") == 1 and events.count("data: [INFO]: start\n") == 1,
                    "job %s: the events of more than one run (or none) from %s" % (job["id"], api.name),
                )
                if job["kind"] == "legacy":
                    legacy = session.post(api.url + "/jobs", files={"id": (None, job["id"])}, timeout=30)
                    check(
                        legacy.status_code == 200 and legacy.json().get("status") == "exited",
                        "legacy lookup of %s from %s: %s" % (job["id"], api.name, legacy.text[:200]),
                    )
    finally:
        for node in nodes:
            node.stop()

    # No orphans: nothing runs in a scratch directory of ours, no engine script is alive.
    def orphans():
        return [(pid, cwd, cmd) for pid, _, cwd, cmd in processes() if cwd.startswith(base) or engine in cmd]

    try:
        wait_for("no process left", 15, lambda: not orphans() or None)
    except SystemExit:
        check(False, "processes left behind: %s" % orphans())
    for api_name in ("api1", "api2"):
        jobs_dir = os.path.join(base, api_name, "jobs")
        left = os.listdir(jobs_dir) if os.path.isdir(jobs_dir) else []
        check(not left, "%s holds job files: %s" % (api_name, left))
    if failures:
        print("multinode: %d failures (logs under %s)" % (len(failures), base))
        return 1
    print("multinode: %d jobs, 2 API nodes, 3 workers: every job ended once with its own result" % len(jobs))
    subprocess.run(["rm", "-rf", base])
    return 0


if __name__ == "__main__":
    sys.exit(main())
