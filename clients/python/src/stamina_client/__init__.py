"""Python client for the STAMINA job server.

>>> from pathlib import Path
>>> from stamina_client import Client
>>> client = Client("http://127.0.0.1:8080")                      # doctest: +SKIP
>>> job = client.submit(Path("mm1.prism"), 'P=? [ F<=5 q>=10 ]')    # doctest: +SKIP
>>> job.wait()                                                      # doctest: +SKIP
>>> job.result()[0].pmin, job.result()[0].pmax                      # doctest: +SKIP
"""

from .client import Client, Constants, Source
from .errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    Diagnostic,
    ForbiddenError,
    InvalidInputError,
    JobFailedError,
    NotFoundError,
    PayloadTooLargeError,
    ServerError,
    ServerUnreachableError,
    StaminaError,
    TooManyRequestsError,
    UnauthorizedError,
    WaitTimeoutError,
)
from .job import Job
from .results import TERMINAL_STATES, Event, JobInfo, PropertyResult, Result, Round, SweepTable
from .sweep import parse_range

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Constants",
    "Source",
    "Job",
    "JobInfo",
    "Result",
    "PropertyResult",
    "Round",
    "Event",
    "SweepTable",
    "TERMINAL_STATES",
    "parse_range",
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
