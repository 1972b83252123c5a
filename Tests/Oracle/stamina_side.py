"""Runs our `stamina` binary as a child process and reads its JSON (the engine contract:
Sources/EngineContract/EngineContract.swift, section 3).

A crash, a timeout or unreadable output is returned as a failed run, never raised: one bad case
must not stop the whole comparison.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass


@dataclass
class Run:
    ok: bool  # the process ran to completion and printed one JSON object
    exit_code: int | None
    output: dict | None
    problem: str  # why ok is False, or ""
    stderr: str = ""
    seconds: float = 0.0


def _run(args: list, timeout: float) -> Run:
    import time

    start = time.monotonic()
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(False, None, None, f"timed out after {timeout:.0f} s", seconds=time.monotonic() - start)
    except OSError as error:
        return Run(False, None, None, f"could not start: {error}")
    elapsed = time.monotonic() - start
    if done.returncode < 0:
        return Run(False, done.returncode, None, f"killed by signal {-done.returncode}", done.stderr[-2000:], elapsed)
    try:
        output = json.loads(done.stdout)
    except json.JSONDecodeError:
        snippet = (done.stdout.strip() or done.stderr.strip())[:300]
        return Run(False, done.returncode, None, f"exit {done.returncode}, stdout is not one JSON object: {snippet!r}",
                   done.stderr[-2000:], elapsed)
    if not isinstance(output, dict):
        return Run(False, done.returncode, None, "stdout JSON is not an object", done.stderr[-2000:], elapsed)
    return Run(True, done.returncode, output, "", done.stderr[-2000:], elapsed)


def _common(model: str, properties: str | None, constants: str) -> list:
    args = [model]
    if properties:
        args.append(properties)
    if constants:
        args += ["--const", constants]
    return args


def validate(binary: str, model: str, properties: str | None, constants: str, timeout: float = 60) -> Run:
    return _run([binary, "validate"] + _common(model, properties, constants) + ["--json"], timeout)


def check(binary: str, model: str, properties: str, constants: str, extra: list, timeout: float) -> Run:
    return _run([binary, "check"] + _common(model, properties, constants) + ["--json"] + extra, timeout)


def diagnostics(output: dict) -> list:
    """The located diagnostics of a validate or check error object."""
    if "diagnostics" in output and isinstance(output["diagnostics"], list):
        return output["diagnostics"]
    error = output.get("error")
    if isinstance(error, dict) and isinstance(error.get("diagnostics"), list):
        return error["diagnostics"]
    return []


def error_text(output: dict) -> str:
    parts = []
    error = output.get("error")
    if isinstance(error, dict):
        parts.append(str(error.get("message", "")))
    for d in diagnostics(output):
        parts.append(str(d.get("message", "")))
    return " | ".join(p for p in parts if p)
