#!/usr/bin/env python3
"""QVBS-style CTMC benchmarks: ours in exact and in truncated mode against Storm, in one run.

Usage: bench_qvbs.py PATH/TO/release/stamina [FOLDER ...] [--timeout S] [--threads J] [--only NAME]

Each FOLDER (default: Benchmarks/qvbs) holds NAME.prism, NAME.csl (the first property is checked)
and optionally NAME.const (constants, e.g. `N=128`). Models whose licence keeps them out of this
repository (the QVBS files of embedded, majority, speed-ind, tandem at its published size,
peer2peer, ...) are passed as another folder of the same shape.
Per model, each run in its own child process: ours `check --exact`, ours `check` (default window
1e-3), Storm `build_model` + `model_checking` (default solvers; time-bounded precision 1e-12
absolute, as in bench_vs_storm.py). Reported: wall seconds, CPU seconds (user + sys of the child:
the machine's cores are shared, so CPU time is the fairer comparison), peak RSS, states, values.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_vs_storm import STORM_CHILD  # noqa: E402


def measured(args: list, timeout: float) -> dict:
    """Runs a child; wall seconds, its own CPU seconds and peak RSS (wait4), exit code, stdout."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > start + timeout:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                return {"timeout": True, "seconds": time.monotonic() - start,
                        "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024}
            time.sleep(0.05)
        out.seek(0)
        err.seek(0)
        return {"timeout": False, "seconds": time.monotonic() - start, "cpu": usage.ru_utime + usage.ru_stime,
                "rss": usage.ru_maxrss * 1024, "exit": os.waitstatus_to_exitcode(status),
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")[-600:]}


def ours(binary, model, props, constants, extra, timeout):
    args = [binary, "check", model, props, "--json"] + (["--const", constants] if constants else []) + extra
    run = measured(args, timeout)
    run["command"] = " ".join(["stamina"] + args[1:])
    try:
        run["result"] = json.loads(run.get("stdout", ""))["properties"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        run["result"] = None
    return run


def storm(model, constants, prop, timeout):
    run = measured([sys.executable, "-c", STORM_CHILD, model, constants, prop], timeout)
    try:
        run["result"] = json.loads(run.get("stdout", "").strip().splitlines()[-1])
    except (ValueError, IndexError):
        run["result"] = None
    return run


def cell(run) -> str:
    if run.get("timeout"):
        return f"timeout ({run['seconds']:.0f} s)"
    if run.get("result") is None or run["result"].get("error"):
        return "failed"
    return f"{run['seconds']:.1f} / {run['cpu']:.1f} s, {run['rss'] / 2**20:.0f} MB"


def bounds(run) -> str:
    r = run.get("result")
    if not r or r.get("pmin") is None:
        return "-"
    return f"[{r['pmin']:.12g}, {r['pmax']:.12g}] ({r['states']:,} states, {len(r.get('rounds') or [])} rounds)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("folders", nargs="*", default=[os.path.join(HERE, "qvbs")])
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", action="append", help="run only the model(s) of this name")
    args = parser.parse_args()
    out = sys.stdout
    out.write("| model | property | ours exact (wall / CPU, RSS) | ours truncated | Storm | exact interval | "
              "truncated interval | Storm value |\n|---|---|---|---|---|---|---|---|\n")
    for folder in args.folders:
        for model in sorted(glob.glob(os.path.join(folder, "*.prism"))):
            name = os.path.splitext(model)[0]
            if args.only and os.path.basename(name) not in args.only:
                continue
            props = name + ".csl"
            if not os.path.exists(props):
                continue
            prop = next(line.strip() for line in open(props) if line.strip() and not line.startswith("//"))
            constants = open(name + ".const").read().strip() if os.path.exists(name + ".const") else ""
            with tempfile.NamedTemporaryFile("w", suffix=".csl", delete=False) as one:
                one.write(prop + "\n")
            threads = ["-j", str(args.threads)] if args.threads > 1 else []
            exact = ours(args.binary, model, one.name, constants, ["--exact"] + threads, args.timeout)
            truncated = ours(args.binary, model, one.name, constants, threads, args.timeout)
            theirs = storm(model, constants, prop, args.timeout)
            os.unlink(one.name)
            value = theirs.get("result") or {}
            storm_value = (f"{value['value']:.12g} ({value['states']:,} states; build {value['build']:.1f} s, check {value['check']:.1f} s)"
                           if value.get("value") is not None else "-")
            label = os.path.basename(name) + (f" ({constants})" if constants else "")
            out.write(f"| {label} | `{prop}` | {cell(exact)} | {cell(truncated)} | {cell(theirs)} | {bounds(exact)} | "
                      f"{bounds(truncated)} | {storm_value} |\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
