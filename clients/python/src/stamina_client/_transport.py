"""The one place that talks HTTP: base URL, bearer token, problem documents turned into exceptions.

The client sends ``Authorization: Bearer`` and never an ``Origin`` header (it is not a browser, and
the server refuses state changes from origins it does not allow).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Tuple

import requests

from .errors import ApiError, ServerUnreachableError, error_for

#: (connect, read) seconds for ordinary calls; the event stream uses its own read timeout.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)


class Transport:
    """A ``requests.Session`` bound to one server and one (changeable) token."""

    def __init__(self, url: str, token: Optional[str], timeout: Tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the server URL must start with http:// or https://, got {url!r}")
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "stamina-client-python/0.1"
        self.session.headers["Accept"] = "application/json, application/problem+json"

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        stream: bool = False,
        timeout: Optional[Tuple[float, float]] = None,
        headers: Optional[Mapping[str, str]] = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Sends one request; raises :class:`ApiError` for 4xx/5xx, :class:`ServerUnreachableError`
        when the server cannot be reached."""
        try:
            response = self.session.request(
                method,
                self.base + path,
                headers=self.headers(headers),
                stream=stream,
                timeout=timeout or self.timeout,
                **kwargs,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise ServerUnreachableError(f"cannot reach {self.base}: {error}") from error
        if response.status_code >= 400:
            raise problem_error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as error:
            raise ApiError(
                response.status_code,
                {"title": "Unreadable reply", "detail": f"the server's reply to {method} {path} is not JSON"},
            ) from error


def problem_error(response: requests.Response) -> ApiError:
    """The exception for a refused request, carrying the problem document (or a minimal one)."""
    problem: Dict[str, Any]
    try:
        parsed = json.loads(response.content.decode("utf-8", "replace") or "null")
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and ("title" in parsed or "detail" in parsed or "type" in parsed):
        problem = parsed
    else:
        text = response.text.strip()[:500] if response.content else ""
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
            text = parsed["error"]
        problem = {"status": response.status_code, "title": response.reason or "", "detail": text}
    retry_after: Optional[float] = None
    header = response.headers.get("Retry-After")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return error_for(response.status_code, problem, retry_after)
