"""What the server tells about jobs, as typed dataclasses.

The server's JSON documents are read leniently (a missing key becomes ``None``) so that a newer
server with more keys, or an older one with fewer, still works; ``raw`` keeps each document whole.
pandas is optional: ``to_pandas()`` imports it only when called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-not-found,import-untyped,unused-ignore]

__all__ = ["JobInfo", "Round", "PropertyResult", "Result", "Event", "SweepTable", "TERMINAL_STATES"]

#: States after which a job never changes again (except being pruned after retention).
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "PRUNED"})


def _float(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> Optional[int]:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas() needs pandas: pip install pandas") from error
    return pandas


@dataclass(frozen=True)
class JobInfo:
    """A job as the server describes it (``GET /v1/jobs/{id}``)."""

    id: str
    name: str
    state: str
    failure_reason: Optional[str]
    failure_message: Optional[str]
    parameters: Dict[str, Any]
    created_at: Optional[str]
    started_at: Optional[str]
    finished_at: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        """True once the job succeeded, failed, was cancelled or pruned."""
        return self.state in TERMINAL_STATES

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> "JobInfo":
        return cls(
            id=str(document.get("id", "")),
            name=str(document.get("name", "")),
            state=str(document.get("state", "")),
            failure_reason=_str(document.get("failureReason")),
            failure_message=_str(document.get("failureMessage")),
            parameters=dict(document.get("parameters") or {}),
            created_at=_str(document.get("createdAt")),
            started_at=_str(document.get("startedAt")),
            finished_at=_str(document.get("finishedAt")),
            raw=dict(document),
        )


@dataclass(frozen=True)
class Round:
    """One refinement round of one property: the truncation after it and the bounds it gave."""

    property_index: int
    iteration: int
    kappa: float
    states: int
    transitions: int
    frontier: int
    pmin: float
    pmax: float
    seconds: float

    @property
    def window(self) -> float:
        return self.pmax - self.pmin

    @classmethod
    def from_json(cls, document: Mapping[str, Any], property_index: int = 0) -> "Round":
        return cls(
            property_index=_int(document.get("property")) or property_index,
            iteration=_int(document.get("iteration")) or 0,
            kappa=_float(document.get("kappa")) or 0.0,
            states=_int(document.get("states")) or 0,
            transitions=_int(document.get("transitions")) or 0,
            frontier=_int(document.get("frontier")) or 0,
            pmin=_float(document.get("pmin")) or 0.0,
            pmax=_float(document.get("pmax")) or 0.0,
            seconds=_float(document.get("seconds")) or 0.0,
        )


@dataclass(frozen=True)
class PropertyResult:
    """The certified bounds of one property: the true value lies in ``[pmin, pmax]``.

    ``error`` is set (and the bounds are ``None``) when the engine refused or could not check
    this property while checking the others.
    """

    index: int
    name: Optional[str]
    text: str
    kind: Optional[str]
    pmin: Optional[float]
    pmax: Optional[float]
    window: Optional[float]
    window_reached: Optional[bool]
    verdict: Optional[str]
    states: Optional[int]
    transitions: Optional[int]
    iterations: Optional[int]
    kappa: Optional[float]
    seconds: Optional[float]
    rounds: List[Round]
    error: Optional[Dict[str, Any]]

    @classmethod
    def from_json(cls, index: int, document: Mapping[str, Any]) -> "PropertyResult":
        seconds = document.get("seconds")
        reached = document.get("windowReached")
        return cls(
            index=index,
            name=_str(document.get("name")),
            text=str(document.get("text", "")),
            kind=_str(document.get("kind")),
            pmin=_float(document.get("pmin")),
            pmax=_float(document.get("pmax")),
            window=_float(document.get("window")),
            window_reached=reached if isinstance(reached, bool) else None,
            verdict=_str(document.get("verdict")),
            states=_int(document.get("states")),
            transitions=_int(document.get("transitions")),
            iterations=_int(document.get("iterations")),
            kappa=_float(document.get("kappa")),
            seconds=_float(seconds.get("total")) if isinstance(seconds, dict) else None,
            rounds=[Round.from_json(r, index) for r in document.get("rounds") or [] if isinstance(r, dict)],
            error=dict(document["error"]) if isinstance(document.get("error"), dict) else None,
        )


@dataclass(frozen=True)
class Result:
    """The result of a finished job (``GET /v1/jobs/{id}/result``)."""

    job_id: str
    properties: List[PropertyResult]
    constants: Dict[str, Any]
    parameters: Dict[str, Any]
    engine_version: Optional[str]
    states: Optional[int]
    transitions: Optional[int]
    wall_seconds: Optional[float]
    cpu_seconds: Optional[float]
    peak_memory_bytes: Optional[int]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    def __getitem__(self, key: "int | str") -> PropertyResult:
        """A property by position (0-based) or by its name in the properties file."""
        if isinstance(key, int):
            return self.properties[key]
        for item in self.properties:
            if item.name == key:
                return item
        raise KeyError(key)

    def __len__(self) -> int:
        return len(self.properties)

    @classmethod
    def from_json(cls, job_id: str, document: Mapping[str, Any]) -> "Result":
        model = document.get("model") if isinstance(document.get("model"), dict) else {}
        engine = document.get("engine") if isinstance(document.get("engine"), dict) else {}
        run = document.get("run") if isinstance(document.get("run"), dict) else {}
        return cls(
            job_id=job_id,
            properties=[
                PropertyResult.from_json(i, p) for i, p in enumerate(document.get("properties") or []) if isinstance(p, dict)
            ],
            constants=dict(model.get("constants") or {}),  # type: ignore[union-attr]
            parameters=dict(document.get("parameters") or {}),
            engine_version=_str(engine.get("version")),  # type: ignore[union-attr]
            states=_int(document.get("states")),
            transitions=_int(document.get("transitions")),
            wall_seconds=_float(run.get("wallSeconds")),  # type: ignore[union-attr]
            cpu_seconds=_float(run.get("cpuSeconds")),  # type: ignore[union-attr]
            peak_memory_bytes=_int(run.get("peakMemoryBytes")),  # type: ignore[union-attr]
            raw=dict(document),
        )

    def rows(self) -> List[Dict[str, Any]]:
        """One flat dict per property (the columns of :meth:`to_pandas`)."""
        return [
            {
                "property": p.name if p.name is not None else p.index,
                "text": p.text,
                "pmin": p.pmin,
                "pmax": p.pmax,
                "window": p.window,
                "window_reached": p.window_reached,
                "states": p.states,
                "iterations": p.iterations,
                "error": p.error.get("message") if p.error else None,
            }
            for p in self.properties
        ]

    def to_pandas(self) -> "pandas.DataFrame":
        """A DataFrame with one row per property (needs pandas)."""
        return _pandas().DataFrame(self.rows())


@dataclass(frozen=True)
class Event:
    """One Server-Sent Event of ``/v1/jobs/{id}/events``.

    ``type`` is ``state`` (``data`` has ``state`` and ``failureReason``), ``log`` (``text`` is one
    line of the engine's output), ``round`` (``data`` as :class:`Round`), ``property`` (a property
    finished) or ``engine`` (another engine event).
    """

    id: str
    type: str
    text: str
    data: Optional[Dict[str, Any]]


@dataclass
class SweepTable:
    """The results of a sweep: one row per valuation of the swept constants and property."""

    columns: List[str]
    rows: List[Dict[str, Any]]
    results: List[Optional[Result]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> List[Any]:
        """The values of one column, in row order."""
        return [row.get(name) for row in self.rows]

    def where(self, **equal: Any) -> "SweepTable":
        """The rows whose columns equal the given values, e.g. ``table.where(property=0)``."""
        kept = [row for row in self.rows if all(row.get(k) == v for k, v in equal.items())]
        return SweepTable(self.columns, kept, self.results)

    def to_pandas(self) -> "pandas.DataFrame":
        """A DataFrame of the rows (needs pandas)."""
        return _pandas().DataFrame(self.rows, columns=self.columns)
