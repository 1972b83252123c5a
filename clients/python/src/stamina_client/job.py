"""A handle on one job of the server: wait for it (with progress), read its result and log,
cancel or delete it.

Waiting follows the job's event stream. Any process can die at any instant, the server included:
when the stream breaks (server restarted, proxy timeout, network hiccup) the handle reconnects
with ``Last-Event-ID`` and carries on from the last event it saw, for up to ``reconnect_for``
seconds of the server being unreachable.
"""

from __future__ import annotations

import time
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Optional, TypeVar

import requests

from .errors import ConflictError, JobFailedError, ServerError, ServerUnreachableError, WaitTimeoutError
from .events import parse_events
from .progress import ProgressBar
from .results import TERMINAL_STATES, Event, JobInfo, Result

if TYPE_CHECKING:  # pragma: no cover
    from ._transport import Transport

__all__ = ["Job"]

T = TypeVar("T")

#: The server sends a comment every ~15 s on a quiet stream; silence this long means a dead link.
STREAM_READ_TIMEOUT = 45.0


class Job:
    """One job, by id. Cheap to create: nothing is fetched until a method is called."""

    def __init__(self, transport: "Transport", job_id: str, info: Optional[JobInfo] = None) -> None:
        self._transport = transport
        self.id = job_id
        self._info = info
        #: The id of the last event seen, so that a later ``wait`` resumes instead of replaying.
        self.last_event_id: Optional[str] = None

    def __repr__(self) -> str:
        state = self._info.state if self._info else "?"
        return f"Job({self.id!r}, state={state!r})"

    @property
    def _path(self) -> str:
        return f"/v1/jobs/{self.id}"

    def info(self) -> JobInfo:
        """The job as the server describes it now (state, parameters, times)."""
        self._info = JobInfo.from_json(self._transport.json("GET", self._path))
        return self._info

    @property
    def state(self) -> str:
        """The job's current state (``QUEUED``, ``RUNNING``, ``SUCCEEDED``, ``FAILED``, ...)."""
        return self.info().state

    def wait(
        self,
        progress: bool = True,
        *,
        timeout: Optional[float] = None,
        on_event: Optional[Callable[[Event], None]] = None,
        stream: Optional[IO[str]] = None,
        reconnect_for: float = 300.0,
    ) -> JobInfo:
        """Blocks until the job is finished (succeeded, failed, cancelled) and returns its info.

        Args:
            progress: draw a progress bar from the refinement rounds on ``stream`` (stderr).
            timeout: give up after this many seconds with :class:`WaitTimeoutError` (the job
                keeps running; call ``wait`` again to go on).
            on_event: called with every event of the stream (state changes, log lines, rounds).
            reconnect_for: how long the server may stay unreachable (e.g. while it restarts)
                before :class:`ServerUnreachableError` is raised.

        A failed job does not raise here; :meth:`result` does.
        """
        deadline = time.monotonic() + timeout if timeout is not None else None
        max_rounds = int((self._info.parameters.get("maxIterations") if self._info else None) or 10)
        bar = ProgressBar(self.id, max_rounds, stream) if progress else None
        try:
            return self._follow(deadline, bar, on_event, reconnect_for)
        finally:
            if bar is not None:
                bar.close()

    def _follow(
        self,
        deadline: Optional[float],
        bar: Optional[ProgressBar],
        on_event: Optional[Callable[[Event], None]],
        reconnect_for: float,
    ) -> JobInfo:
        failing_since: Optional[float] = None
        delay = 0.1
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise WaitTimeoutError(f"job {self.id} did not finish in time")
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            read_timeout = STREAM_READ_TIMEOUT if remaining is None else max(0.5, min(STREAM_READ_TIMEOUT, remaining))
            try:
                with self._transport.request(
                    "GET", self._path + "/events", stream=True, timeout=(10.0, read_timeout), headers=headers
                ) as response:
                    failing_since, delay = None, 0.1
                    for event in parse_events(response.iter_content(chunk_size=None)):
                        if event.id:
                            self.last_event_id = event.id
                        if bar is not None:
                            bar.update(event)
                        if on_event is not None:
                            on_event(event)
                        if event.type == "state" and (event.data or {}).get("state") in TERMINAL_STATES:
                            return self._retrying(self.info, reconnect_for)
                        if deadline is not None and time.monotonic() >= deadline:
                            raise WaitTimeoutError(f"job {self.id} did not finish in time")
                # The stream ended without a final state event: either the final state was seen by
                # an earlier wait (the stream resumed past it), or a proxy cut the stream.
                info = self._retrying(self.info, reconnect_for)
                if info.is_terminal:
                    return info
                time.sleep(delay)
            except (ServerUnreachableError, ServerError, requests.RequestException) as error:
                now = time.monotonic()
                failing_since = failing_since or now
                if now - failing_since > reconnect_for:
                    raise ServerUnreachableError(
                        f"lost the server while waiting for job {self.id} for {reconnect_for:.0f} s: {error}"
                    ) from error
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _retrying(self, call: Callable[[], T], reconnect_for: float) -> T:
        """Runs an idempotent read, retrying while the server is unreachable or failing."""
        started = time.monotonic()
        delay = 0.1
        while True:
            try:
                return call()
            except (ServerUnreachableError, ServerError):
                if time.monotonic() - started > reconnect_for:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def result(self) -> Result:
        """The certified bounds of a finished job.

        Raises:
            ConflictError: the job has not finished yet (call :meth:`wait` first).
            JobFailedError: the job failed or was cancelled; ``reason`` says why.
        """
        try:
            document: Any = self._transport.json("GET", self._path + "/result")
        except ConflictError:
            # A job that ended before it ran (cancelled while queued, say) has no result document.
            info = self.info()
            if info.is_terminal and info.state != "SUCCEEDED":
                raise JobFailedError(self.id, info.state, info.failure_reason, info.failure_message) from None
            raise
        if not isinstance(document, dict):
            document = {}
        run: Dict[str, Any] = document["run"] if isinstance(document.get("run"), dict) else {}
        state = str(run.get("state", "SUCCEEDED"))
        if state != "SUCCEEDED":
            engine_error: Dict[str, Any] = document["error"] if isinstance(document.get("error"), dict) else {}
            message = run.get("message") or engine_error.get("message")
            raise JobFailedError(self.id, state, run.get("failureReason"), message)
        return Result.from_json(self.id, document)

    def log(self, offset: int = 0) -> str:
        """The job's log (the engine's output lines) from a byte offset."""
        return self._transport.request("GET", self._path + "/log", params={"offset": offset}).text

    def artifact(self, name: str) -> str:
        """A file the finished job left: ``transitions.txt`` or ``model.drn`` (Storm's format)."""
        return self._transport.request("GET", f"{self._path}/artifacts/{name}").text

    def cancel(self) -> JobInfo:
        """Asks the server to stop the job (``ConflictError`` if it already finished)."""
        self._info = JobInfo.from_json(self._transport.json("POST", self._path + "/cancel"))
        return self._info

    def delete(self) -> None:
        """Deletes the job and its files from the server."""
        self._transport.request("DELETE", self._path)

    def rename(self, name: str) -> JobInfo:
        """Gives the job a new display name."""
        self._info = JobInfo.from_json(self._transport.json("PATCH", self._path, json={"name": name}))
        return self._info
