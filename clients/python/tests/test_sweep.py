"""Sweeps: one job per valuation, within the server's per-token quota."""

from __future__ import annotations

import pytest

from conftest import Server, model, properties
from stamina_client import Client, InvalidInputError


def test_sweep_over_a_constant_respects_the_quota(small_quota_server: Server) -> None:
    client = Client(small_quota_server.url)
    table = client.sweep(
        model("mm1_unbounded"), properties("mm1_unbounded"), {"lambda": "1:0.25:2"}, window=1e-4
    )
    assert table.columns[:2] == ["lambda", "property"]
    assert sorted(set(table.column("lambda"))) == [1.0, 1.25, 1.5, 1.75, 2.0]
    assert len(table) == 5 * 3 and all(row["error"] is None for row in table.rows)
    first = table.where(property=0)
    assert first.column("lambda") == [1.0, 1.25, 1.5, 1.75, 2.0]
    for row in first.rows:
        assert 0 <= row["pmin"] <= row["pmax"] <= 1 and row["window"] <= 1e-4
    # A faster arrival rate makes a long queue more likely.
    lows = first.column("pmin")
    assert lows == sorted(lows) and lows[0] < lows[-1]
    assert len({row["job"] for row in table.rows}) == 5
    assert len(client.jobs()) == 5


def test_sweep_records_a_failed_valuation(server: Server) -> None:
    client = Client(server.url)
    text = "ctmc\nconst int N;\nmodule m\n  x : [0..N] init 0;\n  [] x < N -> 1 : (x' = x + 1);\nendmodule\n"
    # N=-1 leaves the range of x empty: that valuation is refused, the others still run.
    table = client.sweep(text, "P=? [ F<=1 x=N ]", {"N": [1, -1, 2]})
    by_n = {row["N"]: row for row in table.rows}
    assert by_n[1]["pmax"] is not None and by_n[2]["pmax"] is not None
    assert by_n[-1]["pmin"] is None and by_n[-1]["error"]


def test_sweep_of_a_broken_model_raises(server: Server) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Client(server.url).sweep("ctmc\nmodule m\nendmodul\n", "P=? [ F true ]", {"N": [1, 2]})
    assert caught.value.diagnostics
