"""Reading a Server-Sent Events stream (the ``text/event-stream`` format of the HTML standard).

Kept apart from the HTTP code so that it can be fed any byte chunks: a chunk may end anywhere,
even inside a line or a UTF-8 sequence, so lines are cut on bytes and decoded whole.
"""

from __future__ import annotations

import json
from typing import Dict, Iterable, Iterator, List, Optional

from .results import Event

__all__ = ["parse_events"]


def _event(event_id: str, event_type: str, data_lines: List[str]) -> Event:
    text = "\n".join(data_lines)
    data: Optional[Dict[str, object]] = None
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
    return Event(id=event_id, type=event_type or "message", text=text, data=data)


def parse_events(chunks: Iterable[bytes]) -> Iterator[Event]:
    """Yields each complete event of the stream; comments (heartbeats) are skipped.

    An event's ``id`` is the last ``id:`` field seen, as the standard says, so that a reconnect
    can send it as ``Last-Event-ID``. An event cut off by the end of the stream is dropped.
    """
    buffer = b""
    last_id = ""
    event_type = ""
    data_lines: List[str] = []
    for chunk in chunks:
        if not chunk:
            continue
        buffer += chunk
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            raw, buffer = buffer[:newline], buffer[newline + 1 :]
            line = raw.rstrip(b"\r").decode("utf-8", "replace")
            if line == "":
                if data_lines or event_type:
                    yield _event(last_id, event_type, data_lines)
                event_type, data_lines = "", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "data":
                data_lines.append(value)
            elif name == "event":
                event_type = value
            elif name == "id" and "\0" not in value:
                last_id = value
