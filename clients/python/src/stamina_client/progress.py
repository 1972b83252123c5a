"""The progress bar of ``Job.wait(progress=True)``, drawn from the job's events.

STAMINA cannot know in advance how many rounds a property needs, so the "bar" fills with the
fraction of the allowed rounds used and shows what matters: the property, the round, the states
explored and the current bounds with their window. On a terminal one line is redrawn in place; in
a log file or a notebook's captured output each round is its own line. No dependency beyond the
standard library.
"""

from __future__ import annotations

import sys
from typing import IO, Any, Optional

from .results import Event

__all__ = ["ProgressBar"]


class ProgressBar:
    """Consumes events and draws them on ``stream`` (standard error by default)."""

    width = 20

    def __init__(self, job_id: str, max_rounds: int = 10, stream: Optional[IO[str]] = None) -> None:
        self.job_id = job_id
        self.max_rounds = max(1, max_rounds)
        self.stream: IO[str] = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.in_place = bool(isatty and isatty())
        self.state = ""
        self.drawn = False

    def _write(self, text: str) -> None:
        if self.in_place:
            self.stream.write("\r\x1b[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.drawn = True

    def update(self, event: Event) -> None:
        data: Any = event.data or {}
        if event.type == "state":
            self.state = str(data.get("state", ""))
            self._write(f"job {self.job_id}: {self.state}")
        elif event.type == "round":
            iteration = int(data.get("iteration", 0))
            filled = min(self.width, round(self.width * iteration / self.max_rounds))
            bar = "#" * filled + "." * (self.width - filled)
            pmin, pmax = float(data.get("pmin", 0.0)), float(data.get("pmax", 0.0))
            self._write(
                f"[{bar}] property {int(data.get('property', 0)) + 1}, round {iteration}: "
                f"{int(data.get('states', 0))} states, Pmin {pmin:.6g}, Pmax {pmax:.6g}, window {pmax - pmin:.3g}"
            )

    def close(self) -> None:
        if self.in_place and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
