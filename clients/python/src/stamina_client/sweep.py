"""Parameter sweeps: one job per valuation of the swept constants, collected into a table.

The server limits the jobs a token may have queued or running, so the sweep keeps a window of
jobs in flight: when a submission is refused for that quota it waits for the oldest job in flight
and tries again. Ranges use the engine's ``start:step:stop`` syntax (stop included), so the same
text will work once the engine takes a range itself.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import deque
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Deque, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from .errors import InvalidInputError, JobFailedError, TooManyRequestsError
from .results import Result, SweepTable

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client, Source
    from .job import Job

__all__ = ["parse_range", "valuations", "run_sweep"]

Value = Union[int, float, bool, str]
RESULT_COLUMNS = ["property", "text", "pmin", "pmax", "window", "states", "job", "error"]


def parse_range(text: str) -> List[Union[int, float]]:
    """``"1:2:9"`` -> ``[1, 3, 5, 7, 9]``; ``"0.5:0.25:1"`` -> ``[0.5, 0.75, 1.0]``.

    Decimal arithmetic, so that ``0.1:0.1:0.3`` ends at 0.3 and not just below it.
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"a range is start:step:stop, got {text!r}")
    try:
        start, step, stop = (Decimal(part.strip()) for part in parts)
    except InvalidOperation as error:
        raise ValueError(f"a range is start:step:stop with numbers, got {text!r}") from error
    if step <= 0 or not step.is_finite() or not start.is_finite() or not stop.is_finite():
        raise ValueError(f"the step of a range must be a positive number, got {text!r}")
    if stop < start:
        raise ValueError(f"a range's stop is below its start: {text!r}")
    count = int((stop - start) / step) + 1
    if count > 100_000:
        raise ValueError(f"the range {text!r} has {count} values; at most 100000")
    integral = all(part == part.to_integral_value() and "." not in raw for part, raw in zip((start, step), parts))
    values = [start + step * i for i in range(count)]
    return [int(v) for v in values] if integral else [float(v) for v in values]


def valuations(ranges: Mapping[str, Union[str, Iterable[Value]]]) -> List[Dict[str, Value]]:
    """Every combination of the swept values, the first constant varying slowest."""
    names = list(ranges)
    if not names:
        raise ValueError("a sweep needs at least one constant to vary")
    lists: List[List[Value]] = []
    for name in names:
        spec = ranges[name]
        values: List[Value] = list(parse_range(spec) if isinstance(spec, str) else spec)
        if not values:
            raise ValueError(f"no values to sweep for {name!r}")
        lists.append(values)
    return [dict(zip(names, combination)) for combination in itertools.product(*lists)]


def _submit_within_quota(
    client: "Client", in_flight: "Deque[Job]", model: "Source", properties: "Source", constants: Dict[str, Value],
    settings: Mapping[str, Any],
) -> "Job":
    while True:
        try:
            return client.submit(model, properties, constants=constants, **settings)
        except TooManyRequestsError as error:
            if in_flight:
                in_flight[0].wait(progress=False)
                in_flight.popleft()
            else:
                time.sleep(error.retry_after or 1.0)


def run_sweep(
    client: "Client",
    model: "Source",
    properties: "Source",
    ranges: Mapping[str, Union[str, Iterable[Value]]],
    fixed: Dict[str, Value],
    progress: bool,
    settings: Mapping[str, Any],
) -> SweepTable:
    points = valuations(ranges)
    overlap = sorted(set(fixed) & set(ranges))
    if overlap:
        raise ValueError(f"constants both fixed and swept: {', '.join(overlap)}")
    jobs: List[Tuple[Dict[str, Value], Union["Job", InvalidInputError]]] = []
    in_flight: Deque["Job"] = deque()
    for point in points:
        try:
            submitted = _submit_within_quota(client, in_flight, model, properties, {**fixed, **point}, settings)
        except InvalidInputError as refused:
            # This valuation is refused (say, an empty range); the others may still be fine.
            jobs.append((point, refused))
            continue
        in_flight.append(submitted)
        jobs.append((point, submitted))
    refusals = [outcome for _, outcome in jobs if isinstance(outcome, InvalidInputError)]
    if len(refusals) == len(jobs):
        raise refusals[0]
    names = list(ranges)
    rows: List[Dict[str, Any]] = []
    results: List[Optional[Result]] = []
    for done, (point, job) in enumerate(jobs, start=1):
        result: Optional[Result] = None
        if isinstance(job, InvalidInputError):
            rows.append({**point, **{c: None for c in RESULT_COLUMNS}, "error": job.detail})
        else:
            job.wait(progress=False)
            try:
                result = job.result()
            except JobFailedError as failure:
                rows.append({**point, **{c: None for c in RESULT_COLUMNS}, "job": job.id, "error": str(failure)})
        results.append(result)
        if result is not None:
            for item in result.properties:
                rows.append(
                    {
                        **point,
                        "property": item.name if item.name is not None else item.index,
                        "text": item.text,
                        "pmin": item.pmin,
                        "pmax": item.pmax,
                        "window": item.window,
                        "states": item.states,
                        "job": result.job_id,
                        "error": item.error.get("message") if item.error else None,
                    }
                )
        if progress:
            shown = ", ".join(f"{k}={v}" for k, v in point.items())
            sys.stderr.write(f"sweep {done}/{len(jobs)}: {shown}: {'done' if result else 'failed'}\n")
            sys.stderr.flush()
    return SweepTable(columns=names + RESULT_COLUMNS, rows=rows, results=results)
