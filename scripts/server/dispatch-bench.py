#!/usr/bin/env python3
"""Orchestration benchmark: how fast short jobs are dispatched and finished with 1, 2 and 4 workers.

The engine is a stand-in that answers at once (the real engine's process contract), so what is
measured is the server's part: submission, claim, worker-exec and its stage, storing events and
outputs, finish. For each worker count: JOBS jobs are submitted back to back through /v1 (quotas
raised), then the store's times give submit-to-running (startedAt - createdAt, p50/p99) and the
rate of finished jobs (count / (last finishedAt - first createdAt)).

usage: dispatch-bench.py STAMINA_BINARY [JOBS] [--database URL]
With --database, one API node and one worker node per count (workers=N) share that PostgreSQL;
without, one `stamina serve` (role all) on SQLite.
"""
import datetime
import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

ADMIN = "bench-admin"
ENGINE = r"""#!/bin/bash
events=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--events" ]; then events="$2"; fi
  shift
done
echo '{"type":"property","property":0,"pmin":0.5,"pmax":0.5,"windowReached":true}' >> "$events"
echo "[MESSAGE]: Finished running!" >&2
echo '{"engine": {"name": "stamina", "version": "0.1.0"}, "properties": [{"name": null, "text": "P=? [ F s=1 ]", "kind": "probability", "pmin": 0.5, "pmax": 0.5, "window": 0, "windowReached": true, "verdict": null, "states": 2, "transitions": 1, "iterations": 1, "kappa": 1, "rounds": [], "error": null}], "states": 2, "transitions": 1, "seconds": {"total": 0}, "peakMemoryBytes": 1000}'
"""
MODEL = "ctmc\nmodule m\n  s : [0..1] init 0;\n  [] s = 0 -> 1.0 : (s' = 1);\nendmodule\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(binary, data, role, database, engine, workers):
    os.makedirs(data, exist_ok=True)
    arguments = [
        binary, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % free_port(),
        "--engine", engine, "--set", "workers=%d" % workers, "--set", "rate-limit=0",
        "--set", "admin-token=" + ADMIN, "--set", "owner-quota=100000", "--set", "owner-queued-quota=100000",
        "--set", "system-quota=100000", "--set", "log-level=warning",
    ]
    if role != "all":  # (so that a binary from before roles can be measured too)
        arguments += ["--role", role]
    if database:
        arguments += ["--database", database]
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=open(data + ".err", "ab"))
    line = process.stdout.readline().decode()
    if "listening on" not in line:
        raise SystemExit("server did not start: %r" % line)
    return process, "http://127.0.0.1:%s" % line.rsplit(":", 1)[1].strip()


def parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(binary, jobs, workers, database, base, engine):
    data = tempfile.mkdtemp(dir=base)
    processes = []
    try:
        if database:
            api, url = serve(binary, data + "/api", "api", database, engine, 0)
            worker, _ = serve(binary, data + "/worker", "worker", database, engine, workers)
            processes = [api, worker]
        else:
            server, url = serve(binary, data + "/all", "all", None, engine, workers)
            processes = [server]
        session = requests.Session()
        headers = {"Authorization": "Bearer " + ADMIN}
        ids = []
        for _ in range(jobs):
            reply = session.post(
                url + "/v1/jobs", headers=headers, timeout=30,
                json={"model": {"name": "m.prism", "content": MODEL}, "properties": "P=? [ F s=1 ]\n"},
            )
            if reply.status_code != 202:
                raise SystemExit("submit: %s %s" % (reply.status_code, reply.text))
            ids.append(reply.json()["id"])
        deadline = time.monotonic() + 600
        while True:
            documents = [session.get(url + "/v1/jobs/" + i, headers=headers, timeout=30).json() for i in ids]
            if all(d["state"] in ("SUCCEEDED", "FAILED", "CANCELLED") for d in documents):
                break
            if time.monotonic() > deadline:
                raise SystemExit("jobs did not finish")
            time.sleep(0.5)
        failed = [d for d in documents if d["state"] != "SUCCEEDED"]
        if failed:
            raise SystemExit("%d jobs did not succeed: %s" % (len(failed), failed[0]))
        waits = [(parse(d["startedAt"]) - parse(d["createdAt"])) * 1000 for d in documents]
        first = min(parse(d["createdAt"]) for d in documents)
        last = max(parse(d["finishedAt"]) for d in documents)
        return jobs / (last - first), percentile(waits, 0.5), percentile(waits, 0.99)
    finally:
        for process in processes:
            process.terminate()
            process.wait()


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 200
    database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else None
    base = tempfile.mkdtemp(prefix="stamina-dispatch-")
    os.chmod(base, 0o755)
    engine = os.path.join(base, "engine.sh")
    with open(engine, "w") as f:
        f.write(ENGINE)
    os.chmod(engine, 0o755)
    store = "PostgreSQL (1 API node + 1 worker node)" if database else "SQLite (one process)"
    print("%s, %d short jobs per run, %d cores" % (store, jobs, os.cpu_count()))
    print("| workers | finished jobs/s | submit->running p50 | p99 |")
    print("|---|---|---|---|")
    for workers in (1, 2, 4):
        rate, p50, p99 = run(binary, jobs, workers, database, base, engine)
        print("| %d | %.1f | %.1f ms | %.1f ms |" % (workers, rate, p50, p99))
    subprocess.run(["rm", "-rf", base])


if __name__ == "__main__":
    main()
