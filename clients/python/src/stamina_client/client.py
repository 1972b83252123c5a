"""The entry point: a :class:`Client` for one STAMINA server.

A client without a token may submit if the server allows anonymous jobs; the server then returns a
token that owns the job, and the client keeps it (``client.token``) for every later call, so the
same client can list, read and cancel its jobs. Save that token to reach the jobs from another
process.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ._transport import DEFAULT_TIMEOUT, Transport
from .job import Job
from .results import JobInfo, SweepTable
from .sweep import run_sweep

__all__ = ["Client", "Source", "Constants"]

#: A model or properties file: its text (``str``), or a path to read (``pathlib.Path``).
Source = Union[str, "os.PathLike[str]"]
#: Constant values: ``{"N": 10, "lambda": 0.5}`` or the command line's ``"N=10,lambda=0.5"``.
Constants = Union[str, Mapping[str, Union[int, float, bool, str]]]

_METHODS = ("iterative", "reexploring", "priority")


def _read(source: Source, default_name: str) -> Tuple[str, str]:
    """(file name shown by the server, text)."""
    if isinstance(source, os.PathLike):
        path = Path(source)
        return path.name or default_name, path.read_text(encoding="utf-8")
    if isinstance(source, str):
        return default_name, source
    raise TypeError(f"expected the file's text (str) or a pathlib.Path, got {type(source).__name__}")


def format_value(value: Union[int, float, bool, str]) -> str:
    """A constant's value as PRISM reads it (``true``, ``10``, ``0.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_constants(constants: Optional[Constants]) -> str:
    """The ``--const`` text for constant values given as a mapping or already as text."""
    if constants is None:
        return ""
    if isinstance(constants, str):
        return constants
    return ",".join(f"{name}={format_value(value)}" for name, value in constants.items())


class Client:
    """A connection to one STAMINA server's ``/v1`` API.

    Args:
        url: the server's base URL, e.g. ``http://127.0.0.1:8080`` (with a path prefix if proxied).
        token: a bearer token (``stamina token create``); without one, the first submission asks
            for an anonymous token, which the client then keeps.
        timeout: (connect, read) seconds for each ordinary request.
    """

    def __init__(
        self, url: str, token: Optional[str] = None, *, timeout: Tuple[float, float] = DEFAULT_TIMEOUT
    ) -> None:
        self._transport = Transport(url, token, timeout)

    def __repr__(self) -> str:  # never shows the token
        return f"Client({self.url!r}, token={'set' if self.token else 'none'})"

    @property
    def url(self) -> str:
        return self._transport.base

    @property
    def token(self) -> Optional[str]:
        """The bearer token in use (given, or issued by the server on an anonymous submit)."""
        return self._transport.token

    @token.setter
    def token(self, value: Optional[str]) -> None:
        self._transport.token = value

    def submit(
        self,
        model: Source,
        properties: Source,
        *,
        constants: Optional[Constants] = None,
        method: Optional[str] = None,
        window: Optional[float] = None,
        kappa: Optional[float] = None,
        reduce_kappa: Optional[float] = None,
        approx_factor: Optional[float] = None,
        max_iterations: Optional[int] = None,
        property_truncation: Optional[bool] = None,
        name: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Job:
        """Submits a model and its properties; returns the queued :class:`Job`.

        The server checks the files and parameters before accepting them: a model that does not
        parse raises :class:`InvalidInputError` whose ``diagnostics`` give file, line and column.

        Args:
            model: the PRISM model's text, or a ``pathlib.Path`` to read it from.
            properties: the properties' text (CSL), or a ``pathlib.Path``.
            constants: values for undefined (or overridden) constants.
            method: ``iterative`` (default), ``reexploring`` or ``priority``.
            window: the largest acceptable ``Pmax - Pmin`` (default 1e-3).
            kappa, reduce_kappa, approx_factor, max_iterations, property_truncation: STAMINA's
                other settings, as ``stamina check`` names them.
            name: a display name for the job (default: the model's file name).
            idempotency_key: a retry with the same key returns the first job instead of a new one
                (needs a token).
        """
        model_name, model_text = _read(model, "model.prism")
        properties_name, properties_text = _read(properties, "properties.csl")
        fields: Dict[str, str] = {}
        if constants is not None:
            fields["constants"] = format_constants(constants)
        if method is not None:
            if method.lower() not in _METHODS:
                raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
            fields["method"] = method.lower()
        numbers: Iterable[Tuple[str, Optional[float]]] = (
            ("window", window),
            ("kappa", kappa),
            ("rkappa", reduce_kappa),
            ("approxFactor", approx_factor),
        )
        for field, value in numbers:
            if value is not None:
                fields[field] = repr(float(value))
        if max_iterations is not None:
            fields["maxIterations"] = str(int(max_iterations))
        if property_truncation is not None:
            fields["propertyTruncation"] = "true" if property_truncation else "false"
        if name is not None:
            fields["name"] = name
        files = {
            "model": (model_name, model_text.encode("utf-8"), "text/plain; charset=utf-8"),
            "properties": (properties_name, properties_text.encode("utf-8"), "text/plain; charset=utf-8"),
        }
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        document = self._transport.json("POST", "/v1/jobs", data=fields, files=files, headers=headers)
        issued = document.get("token") if isinstance(document, dict) else None
        if isinstance(issued, str) and issued and not self.token:
            self.token = issued
        info = JobInfo.from_json(document)
        return Job(self._transport, info.id, info)

    def job(self, job_id: str) -> Job:
        """A handle on an existing job (nothing is fetched until a method is called)."""
        return Job(self._transport, job_id)

    def jobs(self, state: Optional[str] = None, limit: Optional[int] = None) -> List[JobInfo]:
        """This token's jobs, newest first (all pages, or at most ``limit``); optionally one state."""
        found: List[JobInfo] = []
        cursor: Optional[str] = None
        while True:
            params: Dict[str, Any] = {"limit": 500 if limit is None else max(1, min(500, limit - len(found)))}
            if state:
                params["state"] = state.upper()
            if cursor:
                params["cursor"] = cursor
            page = self._transport.json("GET", "/v1/jobs", params=params)
            found += [JobInfo.from_json(item) for item in page.get("jobs", []) if isinstance(item, dict)]
            cursor = page.get("nextCursor")
            if not cursor or (limit is not None and len(found) >= limit):
                return found

    def about(self) -> Dict[str, Any]:
        """The server's ``/v1/about`` document (versions, limits)."""
        document = self._transport.json("GET", "/v1/about")
        return dict(document) if isinstance(document, dict) else {"about": document}

    def sweep(
        self,
        model: Source,
        properties: Source,
        ranges: Mapping[str, Union[str, Iterable[Union[int, float, bool, str]]]],
        *,
        constants: Optional[Mapping[str, Union[int, float, bool, str]]] = None,
        progress: bool = False,
        **settings: Any,
    ) -> SweepTable:
        """Checks the properties for every combination of values of the swept constants.

        Args:
            ranges: per constant, its values (a list, ``range``, numpy array...) or the engine's
                ``"start:step:stop"`` text (stop included), e.g. ``{"lambda": "0.5:0.25:2"}``.
            constants: fixed values for the other undefined constants.
            progress: print one line per finished valuation on standard error.
            settings: passed to :meth:`submit` (``window``, ``method``, ...).

        Returns:
            a :class:`SweepTable` with one row per valuation and property: the swept constants,
            ``property``, ``text``, ``pmin``, ``pmax``, ``window``, ``states``, ``job`` and
            ``error`` (set, with empty bounds, when that valuation was refused or its job
            failed). If every valuation is refused (a model that does not parse), the first
            refusal is raised instead.

        Today each valuation is its own job; the server's quota of active jobs per token is
        respected by submitting more only as earlier ones finish.
        """
        return run_sweep(self, model, properties, ranges, dict(constants or {}), progress, settings)
