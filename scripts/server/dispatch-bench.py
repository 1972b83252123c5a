#!/usr/bin/env python3
"""Orchestration benchmark: how fast short jobs are dispatched and finished with 1, 2 and 4 workers.

Two engines: `stand-in` (default), a shell script that answers at once through the engine's process
contract, so what is measured is the server's part (submission, claim, launching the run with its
sandbox and limits, storing events and outputs, finish); and `real`, the server's own engine
(`stamina check`) on a two-state model, which adds the engine's own work. For each worker count,
JOBS jobs are submitted through /v1 (from SUBMITTERS threads, quotas raised), then the store's
times give submit-to-running (startedAt - createdAt, p50/p99) and the rate of finished jobs
(count / (last finishedAt - first createdAt)). The CPU time of the server and everything it
started (zygotes, worker-execs, engines; from wait4 after it stops) is given per job, with the
whole machine's busy CPU over the run, since on a small machine CPU, not waiting, is the bound.

With --serial N, one worker and one job at a time instead (submitted when the previous one has
ended, its state polled every 2 ms): the median of each step of a job's life, from the store's times
and the result's `run` (wall seconds of the run as the worker saw it, CPU seconds of the job's
process), which is where a single short job's time goes.

usage: dispatch-bench.py STAMINA_BINARY [JOBS] [--database URL] [--engine stand-in|real]
                         [--workers 1,2,4] [--submitters 4] [--serial N]
With --database, one API node and one worker node per count (workers=N) share that PostgreSQL;
without, one `stamina serve` (role all) on SQLite.
"""
import argparse
import concurrent.futures
import datetime
import os
import socket
import subprocess
import tempfile
import threading
import time

import requests

ADMIN = "bench-admin"
# POSIX sh (dash starts in a fraction of bash's time): the stand-in must cost next to nothing.
ENGINE = r"""#!/bin/sh
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
PROPERTIES = "P=? [ F s=1 ]\n"
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(binary, data, role, database, engine, workers):
    os.makedirs(data, exist_ok=True)
    arguments = [
        binary, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % free_port(),
        "--set", "workers=%d" % workers, "--set", "rate-limit=0",
        "--set", "admin-token=" + ADMIN, "--set", "owner-quota=100000", "--set", "owner-queued-quota=100000",
        "--set", "system-quota=100000", "--set", "log-level=warning",
    ]
    if engine:
        arguments += ["--engine", engine]
    if role != "all":  # (so that a binary from before roles can be measured too)
        arguments += ["--role", role]
    if database:
        arguments += ["--database", database]
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=open(data + ".err", "ab"))
    line = process.stdout.readline().decode()
    if "listening on" not in line:
        raise SystemExit("server did not start: %r (see %s.err)" % (line, data))
    return process, "http://127.0.0.1:%s" % line.rsplit(":", 1)[1].strip()


def stop(process):
    """Stops a server and returns the CPU seconds (user + system) it and its reaped descendants used."""
    process.terminate()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_utime + usage.ru_stime


def machine_busy():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def submit_all(url, jobs, submitters):
    local = threading.local()

    def submit(_):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        reply = local.session.post(
            url + "/v1/jobs", headers={"Authorization": "Bearer " + ADMIN}, timeout=60,
            json={"model": {"name": "m.prism", "content": MODEL}, "properties": PROPERTIES},
        )
        if reply.status_code != 202:
            raise SystemExit("submit: %s %s" % (reply.status_code, reply.text))
        return reply.json()["id"]

    with concurrent.futures.ThreadPoolExecutor(submitters) as pool:
        return list(pool.map(submit, range(jobs)))


def wait_all(url, ids):
    """Waits for every job to end, asking about the oldest unfinished one at a time (jobs run
    roughly in order), so the bench's own reads stay a small part of the server's work."""
    session = requests.Session()
    headers = {"Authorization": "Bearer " + ADMIN}
    documents = {}
    deadline = time.monotonic() + 900
    pending = list(ids)
    while pending:
        document = session.get(url + "/v1/jobs/" + pending[0], headers=headers, timeout=60).json()
        if document["state"] in TERMINAL:
            documents[pending.pop(0)] = document
            continue
        if time.monotonic() > deadline:
            raise SystemExit("jobs did not finish")
        time.sleep(0.05)
    return [documents[i] for i in ids]


def run(binary, jobs, workers, database, base, engine, submitters):
    data = tempfile.mkdtemp(dir=base)
    processes = []
    cpu = 0.0
    try:
        if database:
            api, url = serve(binary, data + "/api", "api", database, engine, 0)
            worker, _ = serve(binary, data + "/worker", "worker", database, engine, workers)
            processes = [api, worker]
        else:
            server, url = serve(binary, data + "/all", "all", None, engine, workers)
            processes = [server]
        time.sleep(1)  # the start-up sandbox probe and the workers' start are not part of the run
        busy = machine_busy()
        load = os.getloadavg()[0]
        ids = submit_all(url, jobs, submitters)
        documents = wait_all(url, ids)
        busy = machine_busy() - busy
        failed = [d for d in documents if d["state"] != "SUCCEEDED"]
        if failed:
            raise SystemExit("%d jobs did not succeed: %s" % (len(failed), failed[0]))
        waits = [(parse(d["startedAt"]) - parse(d["createdAt"])) * 1000 for d in documents]
        first = min(parse(d["createdAt"]) for d in documents)
        last = max(parse(d["finishedAt"]) for d in documents)
        for process in processes:
            cpu += stop(process)
        processes = []
        return {
            "rate": jobs / (last - first), "p50": percentile(waits, 0.5), "p99": percentile(waits, 0.99),
            "cpu": cpu / jobs * 1000, "busy": busy / jobs * 1000, "load": load,
        }
    finally:
        for process in processes:
            process.kill()
            process.wait()


def serial(binary, count, database, base, engine):
    """One job at a time through one worker: the median of each step, in ms."""
    data = tempfile.mkdtemp(dir=base)
    processes = []
    try:
        if database:
            api, url = serve(binary, data + "/api", "api", database, engine, 0)
            worker, _ = serve(binary, data + "/worker", "worker", database, engine, 1)
            processes = [api, worker]
        else:
            server, url = serve(binary, data + "/all", "all", None, engine, 1)
            processes = [server]
        time.sleep(1)
        session = requests.Session()
        headers = {"Authorization": "Bearer " + ADMIN}
        steps = {"submit (HTTP round trip)": [], "created -> started (claim)": [],
                 "started -> finished": [], "run wall (worker's view)": [], "job process CPU": [],
                 "submit -> finished seen by client": []}
        for _ in range(count):
            began = time.time()
            reply = session.post(url + "/v1/jobs", headers=headers, timeout=60,
                                 json={"model": {"name": "m.prism", "content": MODEL}, "properties": PROPERTIES})
            submitted = time.time()
            job = reply.json()["id"]
            while True:
                document = session.get(url + "/v1/jobs/" + job, headers=headers, timeout=60).json()
                if document["state"] in TERMINAL:
                    break
                time.sleep(0.002)
            seen = time.time()
            if document["state"] != "SUCCEEDED":
                raise SystemExit("job did not succeed: %s" % document)
            result = session.get(url + "/v1/jobs/%s/result" % job, headers=headers, timeout=60).json()
            run_summary = result.get("run", {})
            steps["submit (HTTP round trip)"].append((submitted - began) * 1000)
            steps["created -> started (claim)"].append((parse(document["startedAt"]) - parse(document["createdAt"])) * 1000)
            steps["started -> finished"].append((parse(document["finishedAt"]) - parse(document["startedAt"])) * 1000)
            steps["run wall (worker's view)"].append(run_summary.get("wallSeconds", 0) * 1000)
            steps["job process CPU"].append((run_summary.get("cpuSeconds") or 0) * 1000)
            steps["submit -> finished seen by client"].append((seen - began) * 1000)
        return {name: percentile(values, 0.5) for name, values in steps.items()}
    finally:
        for process in processes:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("jobs", nargs="?", type=int, default=200)
    parser.add_argument("--database")
    parser.add_argument("--engine", choices=["stand-in", "real"], default="stand-in")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--submitters", type=int, default=4)
    parser.add_argument("--serial", type=int, default=0)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    base = tempfile.mkdtemp(prefix="stamina-dispatch-")
    os.chmod(base, 0o755)
    engine = None
    if args.engine == "stand-in":
        engine = os.path.join(base, "engine.sh")
        with open(engine, "w") as f:
            f.write(ENGINE)
        os.chmod(engine, 0o755)
    store = "PostgreSQL (1 API node + 1 worker node)" if args.database else "SQLite (one process)"
    if args.serial:
        steps = serial(binary, args.serial, args.database, base, engine)
        print("%s, %s engine, %d jobs one at a time, 1 worker: medians" % (store, args.engine, args.serial))
        for name, value in steps.items():
            print("| %s | %.1f ms |" % (name, value))
        subprocess.run(["rm", "-rf", base])
        return
    print("%s, %s engine, %d short jobs per run, %d cores" % (store, args.engine, args.jobs, os.cpu_count()))
    print("| workers | finished jobs/s | submit->running p50 | p99 | stamina CPU ms/job | machine busy CPU ms/job | load at start |")
    print("|---|---|---|---|---|---|---|")
    for workers in [int(w) for w in args.workers.split(",")]:
        r = run(binary, args.jobs, workers, args.database, base, engine, args.submitters)
        print("| %d | %.1f | %.0f ms | %.0f ms | %.1f | %.1f | %.1f |" % (
            workers, r["rate"], r["p50"], r["p99"], r["cpu"], r["busy"], r["load"]), flush=True)
    subprocess.run(["rm", "-rf", base])


if __name__ == "__main__":
    main()
