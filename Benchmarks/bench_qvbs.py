#!/usr/bin/env python3
"""QVBS-style CTMC benchmarks: ours in exact and in truncated mode against Storm, in one run.

Usage: bench_qvbs.py PATH/TO/release/stamina [FOLDER ...] [--timeout S] [--threads J] [--only NAME,...]

Each FOLDER (default: Benchmarks/qvbs) holds NAME.prism, NAME.csl (the first property is checked)
and optionally NAME.const (constants, e.g. `N=128`). Another folder of the same shape can hold
models whose licence keeps them out of this repository.
Per model, each run in its own child process, one after the other: ours `check --exact`, ours
`check` (default window 1e-3), Storm `build_model` + `model_checking` (default solvers; time-bounded
precision 1e-12 absolute, as in bench_vs_storm.py). Every run is bounded by --timeout (wall).
Reported: wall and CPU seconds (user + sys of the child, from wait4: the machine's cores are
shared, so CPU time is the fairer comparison), peak RSS, truncated/exact CPU ratio, state and
transition counts, the intervals, Storm's value and whether each interval contains it (to 1e-9
relative; for unbounded properties the value checked is Storm's sparse LU solve, in an untimed
extra child, because the default solver stops at 1e-6 relative). The load average is printed
before and after. Prints Markdown for BENCHMARKS.md; exits 1 when counts differ or an interval
misses Storm's value.
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

# An interval is said to contain Storm's value within this relative slack (rounding of the
# reference solve).
SLACK = 1e-9

# Storm's default solver for unbounded properties stops at 1e-6 relative (not sound: 6e-9 off on
# embedded); the value the intervals are checked against comes from Eigen's sparse LU, a direct
# solve, in a second child whose time is not reported (Tests/Oracle/storm_side.py does the same).
STORM_REFERENCE_CHILD = r"""
import json, os, sys
saved = os.dup(1); os.dup2(2, 1)
import stormpy, stormpy.developer as d
d.set_log_level(d.LogLevel.ERR)
d.set_from_exploded_string(["--eigen:method", "sparselu"])
model_path, constants, prop_text = sys.argv[1], sys.argv[2], sys.argv[3]
program = stormpy.parse_prism_program(model_path, prism_compatibility=True)
props = stormpy.parse_properties(prop_text, program)
program, props = stormpy.instantiate_constants(program, constants, props)
model = stormpy.build_model(program, options=stormpy.BuilderOptions([p.get_raw_formula() for p in props] * 2))
env = d.EnvironmentBuilder.build_environment()
env.solver().set_linear_equation_solver_type(d.EquationSolverType.EIGEN)
result = stormpy.model_checking(model, props[0], only_initial_states=True, environment=env)
os.write(saved, (json.dumps({"value": float(result.get_value(model.initial_states[0]))}) + "\n").encode())
"""


def time_bounded(prop: str) -> bool:
    return "<=" in prop.replace(" ", "") or "[0" in prop.replace(" ", "")


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
    except (ValueError, IndexError, AttributeError):
        run["result"] = None
    return run


def failed(run) -> bool:
    return run.get("timeout") or run.get("result") is None or bool(run["result"].get("error"))


def cell(run) -> str:
    if run.get("timeout"):
        return f"timeout ({run['seconds']:.0f} s)"
    if failed(run):
        reason = (run.get("result") or {}).get("error") or (run.get("stderr") or "").strip().splitlines()[-1:]
        return f"failed: {reason}"
    return f"{run['seconds']:.1f} / {run['cpu']:.1f} s, {run['rss'] / 2**20:.0f} MB"


def interval(run) -> str:
    r = run.get("result")
    if failed(run) or r.get("pmin") is None:
        return "-"
    return f"[{r['pmin']:.12g}, {r['pmax']:.12g}]"


def counts(run) -> tuple | None:
    r = run.get("result")
    if failed(run) or r.get("states") is None:
        return None
    return r["states"], r.get("transitions")


def contains(run, value) -> str:
    r = run.get("result")
    if failed(run) or r.get("pmin") is None or value is None:
        return "-"
    slack = SLACK * max(abs(value), 1e-300)
    if r["pmin"] - slack <= value <= r["pmax"] + slack:
        return "yes"
    gap = r["pmin"] - value if value < r["pmin"] else value - r["pmax"]
    return f"NO (off by {gap:.2g})"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("folders", nargs="*", default=[os.path.join(HERE, "qvbs")])
    parser.add_argument("--timeout", type=float, default=900, help="wall seconds per run (default 900)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated model names")
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    out = sys.stdout
    out.write(f"load average before: {load()}\n\n")
    out.write("| model | property | states, transitions (ours; Storm) | ours `--exact` (wall / CPU, peak RSS) | "
              "ours truncated (`-w 1e-3`) | truncated / exact CPU | Storm | ours exact interval | "
              "ours truncated interval (states, rounds) | Storm value | Storm inside exact / truncated |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n")
    problems = []
    for folder in args.folders:
        for model in sorted(glob.glob(os.path.join(folder, "*.prism"))):
            name = os.path.splitext(model)[0]
            props = name + ".csl"
            if not os.path.exists(props) or (only and os.path.basename(name) not in only):
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
            value = None if failed(theirs) else theirs["result"].get("value")
            reference, reference_note = value, ""
            if value is not None and not time_bounded(prop):
                lu = measured([sys.executable, "-c", STORM_REFERENCE_CHILD, model, constants, prop], args.timeout)
                try:
                    reference = json.loads(lu["stdout"].strip().splitlines()[-1])["value"]
                    reference_note = f"; sparse LU {reference:.12g}"
                except (KeyError, ValueError, IndexError, AttributeError):
                    reference_note = "; sparse LU failed, checked against the default value"
            storm_counts = None if failed(theirs) else (theirs["result"]["states"], theirs["result"]["transitions"])
            ours_counts = counts(exact)
            count_text = (f"{ours_counts[0]:,}, {ours_counts[1]:,}" if ours_counts else "-") + "; " + (
                "the same" if ours_counts and ours_counts == storm_counts
                else (f"{storm_counts[0]:,}, {storm_counts[1]:,}" if storm_counts else "-"))
            # Below half a second of CPU the ratio is noise.
            ratio = (f"{truncated['cpu'] / exact['cpu']:.2f}x" if not failed(exact) and not failed(truncated)
                     and exact["cpu"] >= 0.5 else "-")
            t = truncated.get("result") or {}
            trunc_text = interval(truncated) + (
                f" ({t['states']:,}, {len(t.get('rounds') or [])})" if not failed(truncated) else "")
            storm_text = (f"{value:.12g} (build {theirs['result']['build']:.1f} s, check {theirs['result']['check']:.1f} s"
                          f"{reference_note})" if value is not None else "-")
            inside = f"{contains(exact, reference)} / {contains(truncated, reference)}"
            label = os.path.basename(name) + (f" ({constants})" if constants else "")
            out.write(f"| {label} | `{prop}` | {count_text} | {cell(exact)} | {cell(truncated)} | {ratio} | "
                      f"{cell(theirs)} | {interval(exact)} | {trunc_text} | {storm_text} | {inside} |\n")
            out.flush()
            if "NO" in inside or (ours_counts and storm_counts and ours_counts != storm_counts):
                problems.append(label)
    out.write(f"\nload average after: {load()}\n")
    if problems:
        out.write(f"\nproblems (counts differ or an interval misses Storm's value): {', '.join(problems)}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
