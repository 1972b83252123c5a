# Fixtures for the web app's real-browser tests: headless Chromium through Debian's chromedriver
# and selenium, against a `stamina serve` that scripts/ci/browser.sh starts (STAMINA_URL). Every
# test ends with two checks on what the browser saw: no console errors, and no request to any
# origin but the server's. Screenshots go to SCREENSHOT_DIR (default .build/screenshots).

import json
import os
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BASE_URL = os.environ.get("STAMINA_URL", "").rstrip("/")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / ".build" / "screenshots"))
CORPUS = REPO / "Tests" / "Corpus"


def pytest_collection_modifyitems(config, items):
    if BASE_URL:
        return
    print("browser tests skipped: STAMINA_URL is not set (scripts/ci/browser.sh sets it)")
    for item in items:
        item.add_marker(pytest.mark.skip(reason="STAMINA_URL is not set"))


@pytest.fixture
def base_url():
    return BASE_URL


@pytest.fixture
def downloads():
    directory = tempfile.mkdtemp(prefix="stamina-downloads-")
    yield Path(directory)
    shutil.rmtree(directory, ignore_errors=True)


class Browser:
    """A driver plus the expectations a test declares about failed requests."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url
        self.expected_statuses = set()

    def open(self, path):
        self.driver.get(self.base_url + path)

    def expect_status(self, status):
        """A test that provokes an HTTP error (a 422 for a broken model) says so here."""
        self.expected_statuses.add(status)

    def shot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        width = self.driver.get_window_size()["width"]
        self.driver.set_window_size(width, min(max(height + 140, 600), 6000))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def wait(self, predicate, timeout=30, what="condition"):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except Exception as error:  # an element not there yet, a stale reference
                last_error = error
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (last error: {last_error})")


@pytest.fixture
def browser(base_url, downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    session = Browser(driver, base_url)
    try:
        yield session
        check_console(session)
        check_requests(session)
    finally:
        driver.quit()


def check_console(session):
    problems = []
    for entry in session.driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        # A failed request is logged as "... the server responded with a status of N"; the ones a
        # test provoked on purpose are allowed, everything else is an error.
        if entry.get("source") == "network" and any(f"status of {s}" in message for s in session.expected_statuses):
            continue
        problems.append(message)
    assert not problems, "console errors:\n" + "\n".join(problems)


def check_requests(session):
    origin = urlsplit(session.base_url)
    foreign = []
    for entry in session.driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            foreign.append(url)
    assert not foreign, "requests left the server's origin:\n" + "\n".join(foreign)


def corpus(name):
    return (CORPUS / "models" / f"{name}.prism").read_text(), (CORPUS / "properties" / f"{name}.csl").read_text()


def v1_submit(base_url, model, properties, **fields):
    """A /v1 submission outside the browser (to make a token, or a job to look at)."""
    body = {"model": {"name": "model.prism", "content": model}, "properties": properties, **fields}
    request = urllib.request.Request(base_url + "/v1/jobs", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)


def wait_for_state(base_url, job, states, timeout=60):
    """Polls the job resource until it is in one of states (a job made outside the browser)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"{base_url}/v1/jobs/{job['id']}",
                                         headers={"Authorization": f"Bearer {job['token']}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            state = json.load(reply)["state"]
        if state in states:
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job['id']} did not reach {states} in {timeout} s")
