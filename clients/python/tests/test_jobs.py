"""Submit, wait, read: the client against a real server, compared with a local `stamina check`."""

from __future__ import annotations

import io
import json
import subprocess

import pytest

from conftest import Server, model, properties, stamina_binary
from stamina_client import Client, InvalidInputError, NotFoundError, UnauthorizedError


def local_check(*arguments: str) -> dict:
    """The same check run by the local binary (`stamina check --json`)."""
    run = subprocess.run(
        [stamina_binary(), "check", *arguments, "--json"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_submit_wait_result_matches_a_local_run(server: Server) -> None:
    client = Client(server.url)
    assert client.token is None
    job = client.submit(
        model("mm1_unbounded"), properties("mm1_unbounded"), constants={"lambda": 1.5}, window=1e-4
    )
    assert client.token, "the anonymous token the server issued is kept"
    bar = io.StringIO()
    info = job.wait(progress=True, stream=bar)
    assert info.state == "SUCCEEDED"
    assert "round 1" in bar.getvalue() and "SUCCEEDED" in bar.getvalue()

    result = job.result()
    local = local_check(
        str(model("mm1_unbounded")), str(properties("mm1_unbounded")), "--const", "lambda=1.5", "--probWin", "1e-4"
    )
    assert len(result) == len(local["properties"]) == 3
    for remote, expected in zip(result.properties, local["properties"]):
        assert remote.text == expected["text"]
        assert remote.pmin == expected["pmin"] and remote.pmax == expected["pmax"]
        assert remote.window is not None and remote.window <= 1e-4
        assert remote.states == expected["states"]
        assert remote.rounds and remote.rounds[-1].pmin == remote.pmin
    assert result["long_late"].name == "long_late"
    assert result.constants["lambda"] == 1.5
    assert result.wall_seconds is not None and result.wall_seconds > 0

    assert "Finished running!" in job.log()
    assert [listed.id for listed in client.jobs()] == [job.id]
    assert "7" in job.artifact("transitions.txt") or job.artifact("transitions.txt")

    job.delete()
    with pytest.raises(NotFoundError):
        job.info()
    assert client.jobs() == []


def test_text_sources_and_named_constants(server: Server) -> None:
    client = Client(server.url)
    text = "ctmc\nconst int N;\nmodule m\n  x : [0..N] init 0;\n  [] x < N -> 2 : (x' = x + 1);\nendmodule\n"
    job = client.submit(text, 'P=? [ F<=1 x=N ]\n', constants="N=1")
    job.wait(progress=False)
    bound = job.result()[0]
    # One exponential step of rate 2 within time 1: 1 - e^-2.
    assert bound.pmin is not None and bound.pmax is not None
    assert bound.pmin <= 0.8646647167633873 <= bound.pmax + 1e-12


def test_broken_model_raises_with_line_and_column(server: Server) -> None:
    client = Client(server.url)
    broken = "ctmc\nmodule m\n  x : [0..2] init 0;\n  [] x < 2 -> 1 : (x' = x + );\nendmodule\n"
    with pytest.raises(InvalidInputError) as caught:
        client.submit(broken, "P=? [ F x=2 ]")
    error = caught.value
    assert error.status == 422
    assert error.problem["type"].endswith("/invalid-model")
    [diagnostic] = error.diagnostics
    assert (diagnostic.line, diagnostic.column) == (4, 29)  # the ")" where an expression was expected
    assert diagnostic.file == "model.prism"
    assert "expected" in diagnostic.message
    assert client.token is None, "a refused submission issues no token"


def test_unknown_token_is_unauthorized(server: Server) -> None:
    stale = Client(server.url, token="stm_" + "a" * 52)
    with pytest.raises(UnauthorizedError) as caught:
        stale.jobs()
    assert caught.value.status == 401 and caught.value.detail
    with pytest.raises(UnauthorizedError):
        stale.submit(model("mm1_unbounded"), properties("mm1_unbounded"))


def test_another_tokens_job_is_not_found(server: Server) -> None:
    owner = Client(server.url)
    job = owner.submit(model("mm1_unbounded"), properties("mm1_unbounded"))
    stranger = Client(server.url)
    stranger.submit(model("mm1_unbounded"), properties("mm1_unbounded"))
    assert stranger.token and stranger.token != owner.token
    foreign = stranger.job(job.id)
    for attempt in (foreign.info, foreign.result, foreign.log, foreign.cancel, foreign.delete):
        with pytest.raises(NotFoundError):
            attempt()
    assert job.id not in [listed.id for listed in stranger.jobs()]
    assert owner.job(job.id).wait(progress=False).state == "SUCCEEDED"
