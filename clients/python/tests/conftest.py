"""Fixtures: a real ``stamina serve`` on a free loopback port with a temporary data directory.

The binary comes from ``STAMINA_BIN`` (CI sets it to ``.build/debug/stamina``); without it the
tests that need a server are skipped with a message saying so.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "Tests" / "Corpus"


def model(name: str) -> Path:
    return CORPUS / "models" / f"{name}.prism"


def properties(name: str) -> Path:
    return CORPUS / "properties" / f"{name}.csl"


def stamina_binary() -> str:
    binary = os.environ.get("STAMINA_BIN", "")
    if not binary:
        pytest.skip("STAMINA_BIN is not set (path to a built `stamina`); server tests skipped")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"STAMINA_BIN={binary} is not an executable file")
    return binary


class Server:
    """One `stamina serve` process; `restart` brings it back on the same port and data directory."""

    def __init__(self, binary: str, data_dir: Path, settings: List[str]) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.settings = settings
        self.port = 0
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        arguments = [self.binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", str(self.data_dir)]
        for setting in ["rate-limit=0", "workers=1", *self.settings]:
            arguments += ["--set", setting]
        log = open(self.data_dir.parent / "server.log", "ab")
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=log, start_new_session=False)
        log.close()
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode("utf-8", "replace")
        found = re.search(r"listening on http://[^:]+:(\d+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"stamina serve did not start: {line!r}")
        self.port = int(found.group(1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("stamina serve did not answer /healthz in 30 s")

    def kill(self) -> None:
        """SIGKILL: the server dies at an arbitrary instant, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def restart_after_crash(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(stamina_binary(), tmp_path / "data", [])
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def small_quota_server(tmp_path: Path) -> Iterator[Server]:
    """At most two queued or running jobs per token, so that a sweep meets the quota."""
    running = Server(stamina_binary(), tmp_path / "data", ["owner-quota=2"])
    try:
        yield running
    finally:
        running.stop()
