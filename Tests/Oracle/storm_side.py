"""Storm (stormpy 2.0) as the oracle: parse, build and check PRISM models the way our tests need.

Every value is computed live; nothing is cached. The traps this module works around are those of
../../../shared/design/storm-oracle.md, measured on stormpy 2.0:
- PRISM-style CTMC commands need `prism_compatibility=True`;
- building with exactly one formula makes Storm cut the model at the formula's target states, so
  counts would differ from the full reachable space: we always pass at least two formulas;
- time-bounded precision defaults to 1e-6 relative; we set 1e-12 absolute once per process;
- the default linear-equation solver (gmm++) was off by 5e-8 to 2e-7 on steady states, the native one
  gave nan/-inf, Eigen's default iterative method 4e-4: unbounded and steady-state values come from
  Eigen's sparse LU and are trusted only when a second direct method agrees (Storm's state
  elimination up to 3000 states, SciPy's steady state for S=? of any size);
- out-of-range updates wrap around silently unless exploration checks are on.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

import stormpy
import stormpy.developer as developer

# Time-bounded precision is a process-wide Storm setting; it may be set only once.
_SETTINGS_DONE = False

# Two direct methods must agree this closely before an unbounded/steady value is trusted.
SECOND_METHOD_AGREEMENT = 1e-10


def configure_storm() -> None:
    global _SETTINGS_DONE
    if _SETTINGS_DONE:
        return
    developer.set_log_level(developer.LogLevel.ERR)
    # Eigen's default iterative method was off by 4e-4 on a steady state; sparse LU is direct.
    developer.set_from_exploded_string(["--timebounded:precision", "1e-12", "--timebounded:absolute",
                                        "--eigen:method", "sparselu"])
    _SETTINGS_DONE = True


def _environment(solver):
    env = developer.EnvironmentBuilder.build_environment()
    env.solver().set_linear_equation_solver_type(solver)
    return env


class StormRefusal(Exception):
    """Storm rejected the input (parse, constants, build): the oracle's 'reject'."""


@dataclass
class StormProgram:
    program: object
    properties: list  # stormpy properties, one per Storm-side text (None for skipped ones)
    texts: list  # the Storm-side texts
    bounds: list  # per property: None or (comparison, bound) of a P~p / S~p property


@dataclass
class StormModel:
    model: object
    states: int
    transitions: int
    initial_states: list


@dataclass
class StormValue:
    value: float | None = None
    truth: bool | None = None  # for P~p / S~p properties: Storm's verdict
    note: str = ""
    trusted: bool = True


def _model_path_for_storm(model_path: str, replace_stochastic: bool) -> str:
    if not replace_stochastic:
        return model_path
    with open(model_path, encoding="utf-8") as f:
        text = f.read()
    # Storm lacks the 'stochastic' synonym; give it the same text with 'ctmc'.
    text = re.sub(r"^(\s*)stochastic\b", r"\1ctmc", text, count=1, flags=re.MULTILINE)
    fd, path = tempfile.mkstemp(suffix=".prism", prefix="storm_")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def parse(model_path: str, property_texts: list, constants: str, replace_stochastic: bool = False) -> StormProgram:
    """Parses the model and each property (None entries are skipped), binding constants.

    A bounded property (`P>=0.5 [..]`) is parsed as written (so Storm validates it) and checked
    through its quantitative twin (`P=? [..]`), whose value decides the verdict.
    """
    configure_storm()
    path = _model_path_for_storm(model_path, replace_stochastic)
    try:
        program = stormpy.parse_prism_program(path, prism_compatibility=True)
    except Exception as error:  # stormpy raises several exception types for bad input
        raise StormRefusal(f"parse: {_short(error)}") from error
    finally:
        if path != model_path:
            os.unlink(path)
    parsed, bounds = [], []
    for text in property_texts:
        if text is None:
            parsed.append(None)
            bounds.append(None)
            continue
        quantitative, bound = quantitative_text(text)
        try:
            props = stormpy.parse_properties(text, program)
            if bound is not None:
                props = stormpy.parse_properties(quantitative, program)
        except Exception as error:
            raise StormRefusal(f"property {text!r}: {_short(error)}") from error
        if len(props) != 1:
            raise StormRefusal(f"property {text!r} parsed as {len(props)} properties")
        parsed.append(props[0])
        bounds.append(bound)
    try:
        present = [p for p in parsed if p is not None]
        program, present = stormpy.instantiate_constants(program, constants or {}, present)
        it = iter(present)
        parsed = [next(it) if p is not None else None for p in parsed]
    except Exception as error:
        raise StormRefusal(f"constants: {_short(error)}") from error
    if program.has_undefined_constants:
        raise StormRefusal("undefined constants remain")
    for p in parsed:
        if p is not None and p.contains_undefined_constants():
            raise StormRefusal(f"property {p} has undefined constants")
    return StormProgram(program=program, properties=parsed, texts=list(property_texts), bounds=bounds)


def build(parsed: StormProgram) -> StormModel:
    """Builds the full reachable state space (no target-state cut), with exploration checks."""
    formulas = [p.get_raw_formula() for p in parsed.properties if p is not None]
    # One formula would make Storm stop exploring at its target states; duplicates are harmless.
    formulas = formulas * 2 if formulas else []
    try:
        options = stormpy.BuilderOptions(formulas)
        options.set_build_all_reward_models()
        options.set_build_all_labels()
        options.set_exploration_checks()
        model = stormpy.build_model(parsed.program, options=options)
    except Exception as error:
        raise StormRefusal(f"build: {_short(error)}") from error
    return StormModel(model=model, states=model.nr_states, transitions=model.nr_transitions,
                      initial_states=list(model.initial_states))


_BOUND = re.compile(r"^(\s*(?:\"[^\"]*\"\s*:)?\s*)([PS])\s*(>=|<=|>|<)\s*([0-9.eE+-]+)\s*\[")


def quantitative_text(text: str) -> tuple[str, tuple[str, float] | None]:
    """`P>=0.5 [..]` -> (`P=? [..]`, ('>=', 0.5)); other texts are returned unchanged."""
    match = _BOUND.match(text)
    if not match:
        return text, None
    prefix, op, bound = match.group(1) + match.group(2), match.group(3), float(match.group(4))
    return prefix + "=? [" + text[match.end():], (op, bound)


def needs_linear_solver(text: str) -> bool:
    """True when Storm's value comes from a linear-equation solve (unbounded or steady-state)
    rather than from transient analysis alone."""
    if re.search(r"(^|[\s:])S\s*(=\?|[<>])", text) or re.search(r"\[\s*[SC]\s*\]", text):
        return True
    return re.search(r"\b[UFGWR]\b(?!\s*(<=|<|\[))", text.split("[", 1)[-1]) is not None


def _compare(value: float, op: str, bound: float) -> bool:
    return {">=": value >= bound, ">": value > bound, "<=": value <= bound, "<": value < bound}[op]


def check(parsed: StormProgram, built: StormModel, index: int, state: int | None = None) -> StormValue:
    """Storm's value of property `index` in `state` (default: the first initial state)."""
    prop = parsed.properties[index]
    if prop is None:
        return StormValue(note="skipped")
    state = built.initial_states[0] if state is None else state
    value = _value(built, prop, _environment(developer.EquationSolverType.EIGEN), state)
    result = StormValue(value=value)
    text = parsed.texts[index]
    if needs_linear_solver(text):
        second, method = _second_method(parsed, built, text, state)
        if second is None:
            result.trusted = False
            result.note = method
        elif not (abs(second - value) <= SECOND_METHOD_AGREEMENT * max(1.0, abs(value))):
            result.trusted = False
            result.note = f"Storm (Eigen LU) {value!r} and {method} {second!r} disagree"
    bound = parsed.bounds[index]
    if bound is not None:
        result.truth = _compare(value, bound[0], bound[1])
    return result


ELIMINATION_LIMIT = 3000
_STEADY = re.compile(r"^\s*(?:\"[^\"]*\"\s*:)?\s*S\s*=\?\s*\[(.*)\]\s*$")


def _second_method(parsed: StormProgram, built: StormModel, text: str, state: int):
    """(value, method name) from a method independent of Eigen's LU, or (None, why not)."""
    steady = _STEADY.match(quantitative_text(text)[0])
    if steady:
        import numpy as np
        import steady_state

        goal_prop = stormpy.parse_properties(steady.group(1), parsed.program)[0]
        truth = stormpy.model_checking(built.model, goal_prop)
        goal = np.array([bool(truth[s]) for s in range(built.states)])
        try:
            return steady_state.long_run_probability(built.model, goal, state), "SciPy steady state"
        except ArithmeticError as error:
            return None, f"second method failed: {error}"
    if built.states <= ELIMINATION_LIMIT:
        prop = parsed.properties[parsed.texts.index(text)]
        return _value(built, prop, _environment(developer.EquationSolverType.ELIMINATION), state), "Storm elimination"
    return None, f"no second method for this property on {built.states} states"


def _value(built: StormModel, prop, env, state: int) -> float:
    result = stormpy.model_checking(built.model, prop, only_initial_states=False, environment=env)
    return float(result.get_value(state))


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:240]
