"""Cancelling, and a server that dies while a client waits."""

from __future__ import annotations

import threading
import time
from typing import List, Optional

import pytest

from conftest import Server, model, properties
from stamina_client import Client, Event, JobFailedError, JobInfo

# Lotka-Volterra to a window of 1e-7 explores ~55,000 states: seconds in a debug build, long
# enough to act on a running job.
SLOW = {"window": 1e-7}


def wait_for_state(job, state: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while job.state != state:
        assert time.monotonic() < deadline, f"job never reached {state}"
        time.sleep(0.05)


def test_cancel_a_running_job(server: Server) -> None:
    client = Client(server.url)
    job = client.submit(model("lotka_volterra"), properties("lotka_volterra"), **SLOW)
    wait_for_state(job, "RUNNING")
    assert job.cancel().state in ("CANCELLING", "CANCELLED")
    assert job.wait(progress=False, timeout=60).state == "CANCELLED"
    with pytest.raises(JobFailedError) as caught:
        job.result()
    assert caught.value.state == "CANCELLED"


def test_wait_survives_a_server_crash_and_restart(server: Server) -> None:
    client = Client(server.url)
    job = client.submit(model("lotka_volterra"), properties("lotka_volterra"), **SLOW)
    running = threading.Event()
    states: List[str] = []
    outcome: List[Optional[JobInfo]] = [None]
    failure: List[BaseException] = []

    def on_event(event: Event) -> None:
        if event.type == "state":
            states.append(str((event.data or {}).get("state")))
            if states[-1] == "RUNNING":
                running.set()

    def waiter() -> None:
        try:
            outcome[0] = job.wait(progress=False, on_event=on_event, timeout=180, reconnect_for=60)
        except BaseException as error:  # handed to the test thread
            failure.append(error)

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    assert running.wait(60), "the job never started running"
    server.restart_after_crash()
    thread.join(180)
    assert not thread.is_alive(), "wait() did not return"
    assert not failure, failure
    assert outcome[0] is not None and outcome[0].state == "SUCCEEDED"
    # The crash hit the job mid-run: the restarted server ran it a second time.
    assert job.info().raw["attempts"] == 2
    assert states[-1] == "SUCCEEDED"
    result = job.result()
    assert all(p.pmin is not None and p.pmin <= p.pmax for p in result.properties)


def test_cancel_a_queued_job(server: Server) -> None:
    client = Client(server.url)
    # One worker: the second job waits behind the first.
    running = client.submit(model("lotka_volterra"), properties("lotka_volterra"), **SLOW)
    queued = client.submit(model("mm1_unbounded"), properties("mm1_unbounded"))
    wait_for_state(running, "RUNNING")
    assert queued.state == "QUEUED"
    assert queued.cancel().state == "CANCELLED"
    assert queued.wait(progress=False, timeout=30).state == "CANCELLED"
    with pytest.raises(JobFailedError) as caught:
        queued.result()
    assert caught.value.state == "CANCELLED"
    running.cancel()
    assert running.wait(progress=False, timeout=60).state == "CANCELLED"
