#!/usr/bin/env python3
"""End-to-end benchmarks: our `stamina` against Storm (stormpy 2.0) and the published STAMINA figures.

Usage: bench_vs_storm.py PATH/TO/release/stamina [--quick] [--big-timeout S] [--skip-big]

(a) full exploration of a finite tandem queue (~5 M states; --quick: ~80 k): ours `check --exact`
    with a cheap property against Storm's `build_model`: states/s and peak RSS, each tool in its
    own child process (peak RSS from wait4 on that child alone);
(b) transient `P=? [ F<=10 ... ]` and `[ F<=100 ... ]` on the same CTMC: ours `--exact` against
    Storm build + check at 1e-12 absolute time-bounded precision: wall-time ratio;
(c) the STAMINA case studies end to end with our default window, next to the published figures.
Prints Markdown tables (for BENCHMARKS.md) and the exact commands used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "case-studies")

TANDEM = """// Tandem queue (Hermanns et al.), capacity c: about 2 (c+1)^2 states.
ctmc
const int c;
const double lambda = 4 * c;
const double mu1a = 0.1 * 2;
const double mu1b = 0.9 * 2;
const double mu2 = 2;
const double kappa = 4;
module serverC
  sc : [0..c] init 0;
  ph : [1..2] init 1;
  [] (sc < c) -> lambda : (sc' = sc + 1);
  [route] (sc > 0) & (ph = 1) -> mu1b : (sc' = sc - 1);
  [] (sc > 0) & (ph = 1) -> mu1a : (ph' = 2);
  [route] (sc > 0) & (ph = 2) -> mu2 : (ph' = 1) & (sc' = sc - 1);
endmodule
module serverM
  sm : [0..c] init 0;
  [route] (sm < c) -> 1 : (sm' = sm + 1);
  [] (sm > 0) -> kappa : (sm' = sm - 1);
endmodule
"""

# Storm's side runs in a child so its peak RSS is its own; it prints one JSON line.
STORM_CHILD = r"""
import json, os, sys, time
saved = os.dup(1); os.dup2(2, 1)
import stormpy, stormpy.developer as d
d.set_log_level(d.LogLevel.ERR)
d.set_from_exploded_string(["--timebounded:precision", "1e-12", "--timebounded:absolute"])
model_path, constants, prop_text = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.monotonic()
program = stormpy.parse_prism_program(model_path, prism_compatibility=True)
props = stormpy.parse_properties(prop_text, program) if prop_text else []
program, props = stormpy.instantiate_constants(program, constants, props)
# Two copies of the formula: with exactly one, Storm stops exploring at its target states.
options = stormpy.BuilderOptions([p.get_raw_formula() for p in props] * 2)
model = stormpy.build_model(program, options=options)
t1 = time.monotonic()
value = None
if props:
    env = d.EnvironmentBuilder.build_environment()
    result = stormpy.model_checking(model, props[0], only_initial_states=True, environment=env)
    value = float(result.get_value(model.initial_states[0]))
t2 = time.monotonic()
os.write(saved, (json.dumps({"states": model.nr_states, "transitions": model.nr_transitions,
    "build": t1 - t0, "check": t2 - t1, "value": value}) + "\n").encode())
"""

# Published (STAMINA 2.0 paper) and measured STAMINA 2.1 figures, from the case studies' README.
PUBLISHED = {
    "tandem": {"states": "~21,300", "bounds": "0.498962 - 0.498969", "java": "12.5 s, 989 MB, 21,293 states"},
    "toggle0": {"states": "~4,200", "bounds": "0.0130984 - 0.0131043", "java": "4.3 s, 648 MB, 4,231 states"},
    "toggle100": {"states": "~6,700", "bounds": "0.991784 - 0.991789", "java": "3.6 s, 725 MB, 6,664 states"},
    "jackson4": {"states": "190k - 260k", "bounds": "0.86537 - 0.86555", "java": "41.6 s, 2,349 MB, 187,443 states"},
    "c010to100": {"states": "~85,000 (paper's variant)", "bounds": "0.39505 - 0.39512 (paper); file: ~0.3966",
                  "java": "14.2 s, 894 MB, 20,474 states, 0.396579 - 0.396589"},
    "c010to111": {"states": "~3,500,000", "bounds": "0.01659 - 0.01678", "java": "C++ tool: 3,300-4,700 s"},
}

CASE_STUDIES = [
    ("tandem", "Tandem c=2047", "Tandem/tandem_c_2047_T_0.25.prism", "Tandem/tandem_c_2047_T_0.25.csl", None, False),
    ("toggle0", "Toggle IPTG=0", "Toggle/toggle_IPTG_0.prism", "Toggle/toggle_IPTG_0.csl", None, False),
    ("toggle100", "Toggle IPTG=100 (first property)", "Toggle/toggle_IPTG_100.prism", "Toggle/toggle_IPTG_100.csl",
     None, False),
    ("jackson4", "Jackson N=4", "Jackson/jackson_lambda_5_N_4.prism", "Jackson/jackson_lambda_5_N_4.csl", None, False),
    ("c010to100", "0x8E 010->100", "HazardCct0x8E/Circuit0x8E_010to100.sm", "HazardCct0x8E/glitch_zero.csl", None,
     False),
    ("c010to111", "0x8E 010->111", "HazardCct0x8E/Circuit0x8E_010to111.sm", "HazardCct0x8E/glitch_zero.csl", None,
     True),
]


def measured(args: list, timeout: float) -> dict:
    """Runs a child; returns wall seconds, its own peak RSS (wait4), exit code, stdout."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = start + timeout
        status, usage = None, None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                return {"timeout": True, "seconds": time.monotonic() - start, "rss": usage.ru_maxrss * 1024}
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"timeout": False, "seconds": time.monotonic() - start, "rss": usage.ru_maxrss * 1024,
                "exit": child.returncode, "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace")[-800:]}


def ours(binary: str, model: str, props: str, constants: str, extra: list, timeout: float) -> dict:
    args = [binary, "check", model, props, "--json"] + (["--const", constants] if constants else []) + extra
    run = measured(args, timeout)
    run["command"] = " ".join(["stamina"] + args[1:])
    if not run["timeout"]:
        try:
            run["json"] = json.loads(run["stdout"])
        except json.JSONDecodeError:
            run["json"] = None
    return run


def storm(model: str, constants: str, prop: str, timeout: float) -> dict:
    run = measured([sys.executable, "-c", STORM_CHILD, model, constants, prop], timeout)
    if not run["timeout"]:
        try:
            run["json"] = json.loads(run["stdout"].strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            run["json"] = None
    return run


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def first_property(ours_json: dict | None) -> dict | None:
    if not ours_json or not isinstance(ours_json.get("properties"), list) or not ours_json["properties"]:
        return None
    return ours_json["properties"][0]


def problem(run: dict) -> str | None:
    if run["timeout"]:
        return f"timeout after {run['seconds']:.0f} s"
    if run.get("exit") != 0 or not run.get("json"):
        return f"failed (exit {run.get('exit')}): {(run.get('stderr') or '').strip().splitlines()[-1:]}"
    return None


def part_a_b(binary: str, c: int, timeout: float, out) -> None:
    directory = tempfile.mkdtemp(prefix="bench_tandem_")
    model = os.path.join(directory, "tandem.prism")
    with open(model, "w") as f:
        f.write(TANDEM)
    constants = f"c={c}"
    cheap = "P=? [ F<=0.001 sc=c ]"
    out.write(f"\n## (a) Full exploration: tandem queue c={c}\n\n")
    props = os.path.join(directory, "cheap.csl")
    with open(props, "w") as f:
        f.write(cheap + "\n")
    a_ours = ours(binary, model, props, constants, ["--exact"], timeout)
    a_storm = storm(model, constants, cheap, timeout)
    out.write("| tool | states | transitions | exploration s | states/s | peak RSS | wall s |\n|---|---|---|---|---|---|---|\n")
    rates = {}
    for name, run in (("ours (`--exact`)", a_ours), ("Storm build_model", a_storm)):
        bad = problem(run)
        if bad:
            out.write(f"| {name} | {bad} | | | | {mb(run['rss'])} | {run['seconds']:.1f} |\n")
            continue
        j = run["json"]
        if "build" in j:
            states, transitions, explore = j["states"], j["transitions"], j["build"]
        else:
            prop = first_property(j) or {}
            explore = (prop.get("seconds") or {}).get("exploration") or j.get("seconds", {}).get("total")
            states, transitions = j.get("states"), j.get("transitions")
        rates[name] = (states / explore if explore else 0, run["rss"])
        out.write(f"| {name} | {states:,} | {transitions:,} | {explore:.2f} | {states / explore:,.0f} | "
                  f"{mb(run['rss'])} | {run['seconds']:.1f} |\n")
    if len(rates) == 2:
        (ours_rate, ours_rss), (storm_rate, storm_rss) = rates.values()
        out.write(f"\nRatio ours/Storm: speed {ratio(ours_rate, storm_rate)}, peak memory {ratio(ours_rss, storm_rss)}.\n")
    out.write(f"\nCommands: `{a_ours['command']}`; Storm: `build_model` of the same file with `{constants}`.\n")

    out.write(f"\n## (b) Transient analysis on the same CTMC (c={c}), exact model\n\n")
    out.write("| property | ours s | ours value | Storm build + check s | Storm check s | Storm value | |diff| | ours/Storm wall |\n"
              "|---|---|---|---|---|---|---|---|\n")
    for bound in (10, 100):
        text = f"P=? [ F<={bound} sc=c ]"
        props = os.path.join(directory, f"f{bound}.csl")
        with open(props, "w") as f:
            f.write(text + "\n")
        b_ours = ours(binary, model, props, constants, ["--exact"], timeout)
        b_storm = storm(model, constants, text, timeout)
        ours_bad, storm_bad = problem(b_ours), problem(b_storm)
        prop = first_property(b_ours.get("json")) if not ours_bad else None
        ours_value = prop.get("pmax") if prop else None
        storm_value = b_storm["json"]["value"] if not storm_bad else None
        diff = abs(ours_value - storm_value) if ours_value is not None and storm_value is not None else None
        ours_s = ours_bad or "%.1f" % b_ours["seconds"]
        storm_s = storm_bad or "%.1f" % b_storm["seconds"]
        storm_check = "" if storm_bad else "%.1f" % b_storm["json"]["check"]
        diff_s = "" if diff is None else "%.1e" % diff
        wall = ratio(b_ours["seconds"], b_storm["seconds"]) if not (ours_bad or storm_bad) else "n/a"
        out.write(f"| `{text}` | {ours_s} | {ours_value} | {storm_s} | {storm_check} | {storm_value} | {diff_s} | "
                  f"{wall} |\n")


def part_c(binary: str, timeout: float, big_timeout: float, skip_big: bool, quick: bool, out) -> None:
    out.write("\n## (c) STAMINA case studies, our default window (w = 1e-3)\n\n")
    out.write("| model | ours Pmin | ours Pmax | width | states | rounds | wall s | peak RSS | published states | "
              "published bounds | STAMINA 2.1 (Java) measured |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    commands = []
    for key, label, model, props, constants, big in CASE_STUDIES:
        if big and (skip_big or quick):
            out.write(f"| {label} | skipped ({'--quick' if quick else '--skip-big'}) | | | | | | | "
                      f"{PUBLISHED[key]['states']} | {PUBLISHED[key]['bounds']} | {PUBLISHED[key]['java']} |\n")
            continue
        run = ours(binary, os.path.join(CASES, model), os.path.join(CASES, props), constants or "", [],
                   big_timeout if big else timeout)
        commands.append(run["command"].replace(CASES + "/", "case-studies/"))
        bad = problem(run)
        pub = PUBLISHED[key]
        if bad:
            out.write(f"| {label} | {bad} | | | | | {run['seconds']:.0f} | {mb(run['rss'])} | {pub['states']} | "
                      f"{pub['bounds']} | {pub['java']} |\n")
            continue
        prop = first_property(run["json"]) or {}
        pmin, pmax = prop.get("pmin"), prop.get("pmax")
        width = pmax - pmin if isinstance(pmin, (int, float)) and isinstance(pmax, (int, float)) else None
        out.write(f"| {label} | {pmin:.9f} | {pmax:.9f} | {width:.1e} | {prop.get('states', run['json'].get('states')):,} | "
                  f"{prop.get('iterations')} | {run['seconds']:.1f} | {mb(run['rss'])} | {pub['states']} | "
                  f"{pub['bounds']} | {pub['java']} |\n")
    out.write("\nCommands (from `Benchmarks/`):\n\n" + "".join(f"    {c}\n" for c in commands))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stamina")
    parser.add_argument("--quick", action="store_true", help="small sizes, skips the 3.5 M-state circuit")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--big-timeout", type=float, default=5400, help="for 0x8E 010->111")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--only", choices=["ab", "c"], default=None)
    args = parser.parse_args()
    out = sys.stdout
    c = 200 if args.quick else 1580
    out.write(f"# Benchmarks ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores"
              f"{', --quick' if args.quick else ''})\n")
    if args.only in (None, "ab"):
        part_a_b(os.path.abspath(args.stamina), c, args.timeout, out)
    if args.only in (None, "c"):
        part_c(os.path.abspath(args.stamina), args.timeout if not args.quick else 300, args.big_timeout,
               args.skip_big, args.quick, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
