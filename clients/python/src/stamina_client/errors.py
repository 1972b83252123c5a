"""Exceptions raised by the client.

Every refusal from the server's ``/v1`` API is an ``application/problem+json`` document (RFC 9457);
:class:`ApiError` keeps it whole (``problem``) so that nothing the server said is lost, and its
subclasses let callers catch the cases they handle (a model that does not parse, a job that is not
theirs, a quota) without comparing status codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

__all__ = [
    "StaminaError",
    "ServerUnreachableError",
    "ApiError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "PayloadTooLargeError",
    "InvalidInputError",
    "TooManyRequestsError",
    "ServerError",
    "JobFailedError",
    "WaitTimeoutError",
    "Diagnostic",
]


class StaminaError(Exception):
    """Base class of every exception this package raises."""


class ServerUnreachableError(StaminaError):
    """The server could not be reached (refused, reset, timed out) after the allowed retries."""


@dataclass(frozen=True)
class Diagnostic:
    """One located problem in a model or properties file (1-based line and column)."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ApiError(StaminaError):
    """The server refused a request; ``problem`` is its problem document.

    Attributes:
        status: the HTTP status code.
        problem: the whole problem document (``type``, ``title``, ``detail``, ...), or a minimal
            one built from the status line when the reply was not problem+json.
        retry_after: seconds the server asked to wait before retrying (``Retry-After``), if any.
    """

    def __init__(self, status: int, problem: Mapping[str, Any], retry_after: Optional[float] = None) -> None:
        self.status = status
        self.problem: Dict[str, Any] = dict(problem)
        self.retry_after = retry_after
        super().__init__(f"{status} {self.title}: {self.detail}")

    @property
    def type(self) -> str:
        """The stable problem type URI, e.g. ``https://staminachecker.org/problems/not-found``."""
        return str(self.problem.get("type", "about:blank"))

    @property
    def title(self) -> str:
        return str(self.problem.get("title", ""))

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail", ""))


class BadRequestError(ApiError):
    """400: the request itself is malformed."""


class UnauthorizedError(ApiError):
    """401: no token, or a token the server does not know (never issued, or expired)."""


class ForbiddenError(ApiError):
    """403: the server refuses this caller."""


class NotFoundError(ApiError):
    """404: no such job, or a job owned by another token (the server does not tell them apart)."""


class ConflictError(ApiError):
    """409: the job is in a state that forbids this (cancelling a finished job, reading a result early)."""


class PayloadTooLargeError(ApiError):
    """413: a file is larger than the server accepts."""


class InvalidInputError(ApiError):
    """422: the model, properties or parameters were refused at submission.

    ``diagnostics`` lists the parser's located problems (file, line, column, message); it is
    empty for out-of-range parameters or a missing file, whose reason is in ``detail``.
    """

    @property
    def diagnostics(self) -> List[Diagnostic]:
        items = self.problem.get("diagnostics") or []
        return [
            Diagnostic(
                file=str(item.get("file", "")),
                line=int(item.get("line", 0)),
                column=int(item.get("column", 0)),
                message=str(item.get("message", "")),
            )
            for item in items
            if isinstance(item, dict)
        ]


class TooManyRequestsError(ApiError):
    """429: a quota (active jobs per owner, jobs in the system) or the rate limit was reached."""


class ServerError(ApiError):
    """5xx: the server failed; the request may be retried later."""


class JobFailedError(StaminaError):
    """The job ended without a result: ``state`` is ``FAILED`` or ``CANCELLED`` (or ``PRUNED``).

    ``reason`` is the server's failure reason (``TIME_LIMIT``, ``MEMORY_LIMIT``, ``INVALID_INPUT``,
    ``ENGINE_ERROR``, ``WORKER_LOST``, ``INTERNAL``) and ``message`` its explanation, when known.
    """

    def __init__(self, job_id: str, state: str, reason: Optional[str], message: Optional[str]) -> None:
        self.job_id = job_id
        self.state = state
        self.reason = reason
        self.message = message
        text = f"job {job_id} is {state}"
        if reason:
            text += f" ({reason})"
        if message:
            text += f": {message}"
        super().__init__(text)


class WaitTimeoutError(StaminaError):
    """``Job.wait(timeout=...)`` ran out of time before the job finished (the job keeps running)."""


_BY_STATUS = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: InvalidInputError,
    429: TooManyRequestsError,
}


def error_for(status: int, problem: Mapping[str, Any], retry_after: Optional[float] = None) -> ApiError:
    """The most specific :class:`ApiError` subclass for a status code."""
    if status >= 500:
        return ServerError(status, problem, retry_after)
    return _BY_STATUS.get(status, ApiError)(status, problem, retry_after)
