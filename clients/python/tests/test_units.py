"""Pieces that need no server: the event-stream reader, ranges, problem documents."""

from __future__ import annotations

import pytest

from stamina_client import InvalidInputError, NotFoundError, parse_range
from stamina_client.errors import error_for
from stamina_client.events import parse_events

STREAM = (
    "id: .1.0\nevent: log\ndata: [INFO]: caf\u00e9\n\n"
    ": keep-alive\n\n"
    'id: .1.1\nevent: round\ndata: {"type":"round","iteration":1}\n\n'
    'id: SUCCEEDED.1.1\nevent: state\ndata: {"state":"SUCCEEDED"}\n\n'
    "id: cut\nevent: log\ndata: never ended"
).encode("utf-8")


@pytest.mark.parametrize("size", [1, 2, 7, len(STREAM)])
def test_events_survive_any_chunking(size: int) -> None:
    chunks = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
    events = list(parse_events(chunks))
    assert [e.type for e in events] == ["log", "round", "state"]
    assert events[0].text == "[INFO]: caf\u00e9" and events[0].data is None
    assert events[1].data == {"type": "round", "iteration": 1}
    assert events[2].id == "SUCCEEDED.1.1"


def test_multi_line_data_and_crlf() -> None:
    [event] = list(parse_events([b"event: log\r\ndata: a\r\ndata: b\r\n\r\n"]))
    assert event.text == "a\nb" and event.id == ""


def test_ranges() -> None:
    assert parse_range("1:2:9") == [1, 3, 5, 7, 9]
    assert parse_range("0.1:0.1:0.3") == [0.1, 0.2, 0.3]
    assert parse_range("0.5:0.25:1") == [0.5, 0.75, 1.0]
    for bad in ["1:0:3", "3:1:1", "1:2", "a:1:2", "1:-1:3"]:
        with pytest.raises(ValueError):
            parse_range(bad)


def test_problem_documents_become_typed_errors() -> None:
    problem = {
        "type": "https://staminachecker.org/problems/invalid-model",
        "title": "The model or properties do not check",
        "detail": "model.prism:3:5: error: expected ';'",
        "diagnostics": [{"file": "model.prism", "line": 3, "column": 5, "message": "expected ';'"}],
    }
    error = error_for(422, problem)
    assert isinstance(error, InvalidInputError)
    assert str(error.diagnostics[0]) == "model.prism:3:5: expected ';'"
    assert isinstance(error_for(404, {"title": "Not found"}), NotFoundError)
