"""filter(op, prop, states) against Storm: Storm gives the property's value in every state and the
states formula's truth in every state; this script applies the operator (stormpy does not expose
Storm's own filter) and compares with `stamina check --json`'s `filter` object.

    python3 Tests/Oracle/filters_vs_storm.py .build/debug/stamina

Exact runs (`--exact`) must equal Storm within 1e-9 (relative above 1); truncated runs must contain
Storm's answer: a value inside [lower, upper] (1e-12 slack), a count inside its range, a verdict
equal to Storm's or `unknown`, Storm's arg-states among the candidates, every printed value
contained. Unbounded values are used only when Storm's state elimination agrees with Eigen's LU.
A property that is a plain state formula (`filter(count, q=1, true)`) is read per state as Storm's
truth value (1 or 0); ours must be exact on every state we list, and decided where the set is closed.
A case's `decided` lists the properties (1-based) that a truncated run must decide to the window.
"""

from __future__ import annotations

import json
import os
import re
import sys

import stormpy

import stamina_side
import storm_side
from storm_side import developer
from tally import Tally

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "Corpus")


def split_filter(text: str) -> tuple[str, str, str]:
    """`filter(op, prop, states)` -> (op, prop, states), splitting at top-level commas."""
    body = text.strip()
    assert body.startswith("filter(") and body.endswith(")"), text
    body = body[len("filter("):-1]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    assert len(parts) == 3, f"{text}: Storm needs the states argument"
    return parts[0], parts[1], parts[2]


def is_state_formula(text: str) -> bool:
    """True for a property without P, S or R operators (a truth value per state)."""
    return re.search(r"(^|[^\w\"])(P|R|S)\s*(\{|=|<|>|min|max)", text) is None


def valuation(state: str) -> dict:
    """Our `x=1, b=true` as a dict of strings."""
    result = {}
    for item in state.split(", "):
        name, value = item.split("=", 1)
        result[name] = value
    return result


def storm_valuation(model, s: int) -> dict:
    data = json.loads(str(model.state_valuations.to_json(s)))
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in data.items()}


class StormFilter:
    """Storm's per-state values and sets on one (finite) model."""

    def __init__(self, model_path: str, constants: str, texts: list) -> None:
        storm_side.configure_storm()
        self.program = stormpy.parse_prism_program(model_path, prism_compatibility=True)
        self.parts = [split_filter(t) for t in texts]
        inner = [storm_side.quantitative_text(p[1])[0] for p in self.parts]
        states = [p[2] for p in self.parts]
        props = stormpy.parse_properties(";".join(inner + states), self.program)
        self.program, props = stormpy.instantiate_constants(self.program, constants or {}, props)
        self.inner, self.states = props[: len(inner)], props[len(inner):]
        options = stormpy.BuilderOptions([p.get_raw_formula() for p in self.inner + self.states] * 2)
        options.set_build_all_reward_models()
        options.set_build_all_labels()
        options.set_build_state_valuations()
        self.model = stormpy.build_model(self.program, options=options)

    def values(self, index: int):
        """(values per state, why untrusted or '')."""
        text = self.parts[index][1]
        prop = self.inner[index]
        n = self.model.nr_states
        if is_state_formula(text):
            truth = stormpy.model_checking(self.model, prop)
            return [1.0 if bool(truth[s]) else 0.0 for s in range(n)], ""
        env = storm_side._environment(developer.EquationSolverType.EIGEN)
        result = stormpy.model_checking(self.model, prop, only_initial_states=False, environment=env)
        values = [float(result.get_value(s)) for s in range(n)]
        if storm_side.needs_linear_solver(text):
            if self.model.nr_states > storm_side.ELIMINATION_LIMIT:
                return values, f"no second method on {self.model.nr_states} states"
            env2 = storm_side._environment(developer.EquationSolverType.ELIMINATION)
            other = stormpy.model_checking(self.model, prop, only_initial_states=False, environment=env2)
            second = [float(other.get_value(s)) for s in range(n)]
            for a, b in zip(values, second):
                if not abs(a - b) <= storm_side.SECOND_METHOD_AGREEMENT * max(1.0, abs(a)):
                    return values, f"Eigen LU {a!r} and elimination {b!r} disagree"
        return values, ""

    def members(self, index: int) -> list:
        truth = stormpy.model_checking(self.model, self.states[index])
        return [s for s in range(self.model.nr_states) if bool(truth[s])]


def answer(op: str, text: str, values: list, members: list):
    """Storm's answer to the filter: a number, a bool, or a list of states."""
    inner = split_filter(text)[1]
    _, bound = storm_side.quantitative_text(inner)
    picked = [values[s] for s in members]
    truths = [storm_side._compare(v, bound[0], bound[1]) for v in picked] if bound else None
    if is_state_formula(inner):
        truths = [v == 1.0 for v in picked]
    if op == "min":
        return min(picked)
    if op == "max":
        return max(picked)
    if op == "sum":
        return sum(picked)
    if op == "avg":
        return sum(picked) / len(picked)
    if op == "count":
        return sum(truths)
    if op == "forall":
        return all(truths)
    if op == "exists":
        return any(truths)
    if op == "state":
        assert len(members) == 1
        return picked[0]
    if op in ("argmin", "argmax"):
        # The states at the extremum, and those within 1e-9 of it (our certified intervals may
        # leave such near-ties in or out).
        extreme = min(picked) if op == "argmin" else max(picked)
        strict = [s for s in members if values[s] == extreme]
        loose = [s for s in members if abs(values[s] - extreme) <= 1e-9 * max(1.0, abs(extreme))]
        return strict, loose
    if op in ("printall", "first", "range", "print"):
        return None  # compared state by state below
    raise ValueError(op)


def contains(lower: float, upper, value: float, slack: float) -> bool:
    scale = max(1.0, abs(value))
    return lower - slack * scale <= value and (upper is None or value <= upper + slack * scale)


def compare(t: Tally, what: str, op: str, text: str, ours: dict, storm: StormFilter, index: int, exact: bool) -> None:
    values, untrusted = storm.values(index)
    if untrusted:
        t.skip(what, untrusted)
        return
    members = storm.members(index)
    f = ours.get("filter")
    if not isinstance(f, dict):
        t.fail(what, f"no filter object: {ours.get('error')}")
        return
    slack = 1e-9 if exact else 1e-12
    if exact and (f["open"] or not f["decided"]):
        t.fail(what, f"exact run not decided (open={f['open']})")
        return
    if is_state_formula(split_filter(text)[1]) and not f["open"] and not f["decided"]:
        t.fail(what, "a state formula over a closed set is exact, yet not decided")
        return
    by_valuation = {json.dumps(storm_valuation(storm.model, s), sort_keys=True): s for s in members}
    expected = answer(op, text, values, members)
    if op in ("forall", "exists"):
        verdict = f["verdict"]
        ok = verdict == ("true" if expected else "false") or (not exact and verdict == "unknown")
        t.expect(ok, what, f"ours {verdict}, Storm {expected}")
    elif op in ("argmin", "argmax"):
        listed = {json.dumps(valuation(s["state"]), sort_keys=True) for s in f["listed"]}
        strict, loose = ({json.dumps(storm_valuation(storm.model, s), sort_keys=True) for s in e} for e in expected)
        ok = strict <= listed and (not exact or listed <= loose)
        t.expect(ok, what, f"ours {sorted(listed)}, Storm {sorted(strict)} (within 1e-9: {len(loose)})")
    elif op in ("printall", "first", "print"):
        bad = []
        for s in f["listed"]:
            key = json.dumps(valuation(s["state"]), sort_keys=True)
            if key not in by_valuation:
                bad.append(f"{s['state']} not in Storm's set")
                continue
            v = values[by_valuation[key]]
            if not contains(s["pmin"], s["pmax"], v, slack):
                bad.append(f"{s['state']}: [{s['pmin']}, {s['pmax']}] vs {v}")
        if op == "printall" and exact and len(f["listed"]) != len(members):
            bad.append(f"{len(f['listed'])} listed, Storm's set has {len(members)}")
        if op == "print":
            # print lists the states whose value may be non-zero (a truth value that may be true):
            # exactly Storm's non-zero ones when decided, at least those explored otherwise.
            nonzero = {json.dumps(storm_valuation(storm.model, s), sort_keys=True) for s in members if values[s] != 0}
            listed = {json.dumps(valuation(s["state"]), sort_keys=True) for s in f["listed"]}
            if f["decided"] and listed != nonzero:
                bad.append(f"{len(listed)} listed, Storm has {len(nonzero)} non-zero")
        if op == "first" and not exact and f["open"]:
            bad = []
        t.expect(not bad, what, "; ".join(bad[:3]))
    elif op == "range":
        lo, hi = min(values[s] for s in members), max(values[s] for s in members)
        ok = contains(f["minimum"]["lower"], f["minimum"]["upper"], lo, slack) and contains(
            f["maximum"]["lower"], f["maximum"]["upper"], hi, slack)
        t.expect(ok, what, f"ours {f['minimum']} {f['maximum']}, Storm [{lo}, {hi}]")
    else:
        value = f["value"]
        ok = contains(value["lower"], value["upper"], expected, slack)
        t.expect(ok, what, f"ours [{value['lower']}, {value['upper']}], Storm {expected!r}")


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/stamina"
    with open(os.path.join(CORPUS, "filters.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    t = Tally()
    for case in cases:
        model = os.path.join(CORPUS, case["model"])
        props_path = os.path.join(CORPUS, case["properties"])
        with open(props_path, encoding="utf-8") as f:
            texts = [line.strip().rstrip(";") for line in f if line.strip() and not line.startswith("//")]
        surrogate = case.get("surrogate")
        storm_model = os.path.join(CORPUS, surrogate["model"]) if surrogate else model
        storm_constants = surrogate["constants"] if surrogate else case["constants"]
        try:
            storm = StormFilter(storm_model, storm_constants, texts)
        except Exception as error:  # stormpy raises several types
            t.fail(case["name"], f"Storm: {storm_side._short(error)}")
            continue
        modes = [("truncated", ["-w", "1e-6"])] if surrogate else [("exact", ["--exact"]), ("truncated", ["-w", "1e-6"])]
        for mode, extra in modes:
            run = stamina_side.check(binary, model, props_path, case["constants"], extra, timeout=120)
            if not run.ok:
                t.fail(f"{case['name']} {mode}", run.problem)
                continue
            results = run.output.get("properties", [])
            for index, text in enumerate(texts):
                what = f"{case['name']} {mode} #{index + 1} {text}"
                if index >= len(results):
                    t.fail(what, "missing from our output")
                    continue
                op = split_filter(text)[0]
                if index + 1 in case.get("decided", []) and not (results[index].get("filter") or {}).get("decided"):
                    # A set the engine can close (bounded by the variables' ranges) gets rounds of
                    # its own until the answer is decided.
                    t.fail(what, "not decided to the window, although its set is bounded")
                    continue
                compare(t, what, op, text, results[index], storm, index, exact=mode == "exact")
    print(t.summary())
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
