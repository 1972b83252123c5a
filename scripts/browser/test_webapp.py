# The web app in a real browser: submit, watch progress, results and plots, rename, cancel,
# delete, a broken model's located error, the legacy from_web redirect, a phone-sized screen and
# labelled controls. conftest.py checks after each test that the console stayed clean and that
# no request left the server's origin.

import json
import os
import re
import time

import pytest

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import corpus, v1_submit, wait_for_state


def fill(browser, selector, text):
    browser.driver.execute_script(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));", selector, text)


def css(browser, selector):
    return browser.driver.find_element(By.CSS_SELECTOR, selector)


def all_css(browser, selector):
    return browser.driver.find_elements(By.CSS_SELECTOR, selector)


def state_of_page(browser):
    return browser.driver.execute_script(
        "const badge = document.querySelector('#state-badge'); return badge ? badge.textContent.trim() : ''")


def unlabelled_controls(browser):
    """Visible form controls without a label, an aria-label or text of their own."""
    return browser.driver.execute_script(
        """
        return [...document.querySelectorAll('input, select, textarea, button')]
          .filter(e => e.offsetParent !== null)
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
          .map(e => e.outerHTML.slice(0, 80));
        """)


def submit_form(browser, model, properties, name, page="/", **parameters):
    browser.open(page)
    browser.wait(lambda: len(Select(css(browser, "#method")).options) == 3, what="the methods from /v1/about")
    assert css(browser, "#kappa").get_attribute("value") == "1"  # the server's default
    fill(browser, "#model-text", model)
    fill(browser, "#properties-text", properties)
    css(browser, "#job-name").send_keys(name)
    for key, value in parameters.items():
        field = css(browser, f"#{key}")
        field.clear()
        field.send_keys(str(value))
    css(browser, "#submit-button").click()
    browser.wait(lambda: "job.html?id=" in browser.driver.current_url, what="the job page after submitting")
    return browser.driver.current_url.split("id=")[1]


def test_submit_watch_progress_results_and_plots(browser, downloads):
    model, properties = corpus("gene_expression")
    job_id = submit_form(browser, model, properties, "gene expression", window="1e-6")
    assert len(job_id) > 10
    browser.wait(lambda: css(browser, "#job-title").text.startswith("gene expression"), what="the job's name")

    # Progress arrives while the job runs: a round line shown under a running state.
    seen_running_progress = False
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = state_of_page(browser)
        progress = css(browser, "#progress").text
        if state == "running" and "round" in progress:
            seen_running_progress = True
        if state in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.1)
    assert state_of_page(browser) == "succeeded"
    assert seen_running_progress, "no live round progress was shown while the job ran"

    properties_count = len([line for line in properties.splitlines() if line.strip() and not line.startswith("//")])
    rows = browser.wait(lambda: all_css(browser, "#results-table tbody tr"), what="the results table")
    assert len(rows) == properties_count
    for row in rows:
        cells = [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")]
        pmin, pmax = float(cells[0]), float(cells[1])
        assert 0 <= pmin <= pmax <= 1
        assert cells[3] in ("yes", "no")
        assert int(cells[4].replace(",", "")) > 0
    # Three charts per property, each with drawn points.
    charts = all_css(browser, "#plots svg.chart")
    assert len(charts) == 3 * properties_count
    for chart in charts:
        assert chart.find_elements(By.CSS_SELECTOR, "circle.series-dot"), chart.get_attribute("outerHTML")[:300]
    # The log is coloured: the [INFO] headers in blue and bold.
    assert all_css(browser, "#log span.ansi-fg-34.ansi-bold")
    assert "Finished running!" in css(browser, "#log").text
    curl = css(browser, "#curl").text
    assert "/v1/jobs" in curl and "-F model=@" in curl
    assert float(re.search(r"-F window='([^']+)'", curl).group(1)) == 1e-6

    # The result JSON downloads with the token (no plain link could carry it).
    css(browser, "#downloads button").click()
    saved = browser.wait(lambda: [p for p in downloads.glob("*.json") if p.stat().st_size > 0], what="the download")
    document = json.loads(saved[0].read_text())
    assert len(document["properties"]) == properties_count
    browser.shot("job-succeeded")

    # The job is in the list on the front page, filterable by state.
    browser.open("/")
    browser.wait(lambda: css(browser, f"tr[data-id='{job_id}']"), what="the job in the list")
    Select(css(browser, "#state-filter")).select_by_value("RUNNING")
    browser.wait(lambda: not all_css(browser, f"tr[data-id='{job_id}']"), what="the filter to hide the job")
    Select(css(browser, "#state-filter")).select_by_value("SUCCEEDED")
    browser.wait(lambda: all_css(browser, f"tr[data-id='{job_id}']"), what="the filter to show the job")
    browser.shot("index")


def test_cancel_rename_and_delete_a_long_job(browser):
    model, properties = corpus("lotka_volterra")
    job_id = submit_form(browser, model, properties, "long one", window="1e-12", maxIterations=40, reduceKappa=4)
    browser.wait(lambda: state_of_page(browser) == "running", timeout=60, what="the job to run")
    browser.wait(lambda: "round" in css(browser, "#progress").text, timeout=60, what="a first round")
    browser.shot("job-running")
    css(browser, "#cancel-job").click()
    browser.wait(lambda: state_of_page(browser) == "cancelled", timeout=30, what="the job to be cancelled")
    assert not css(browser, "#cancel-job").is_displayed()

    browser.open("/")
    row = browser.wait(lambda: css(browser, f"tr[data-id='{job_id}']"), what="the job in the list")
    assert "cancelled" in row.text
    row.find_element(By.XPATH, ".//button[text()='Rename']").click()
    field = browser.wait(lambda: css(browser, f"tr[data-id='{job_id}'] input"), what="the rename field")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("predators <and> prey" + Keys.ENTER)
    browser.wait(lambda: "predators <and> prey" in css(browser, f"tr[data-id='{job_id}']").text, what="the new name")

    css(browser, f"tr[data-id='{job_id}']").find_element(By.XPATH, ".//button[text()='Delete']").click()
    browser.driver.switch_to.alert.accept()
    browser.wait(lambda: not all_css(browser, f"tr[data-id='{job_id}']"), what="the job to disappear")


def test_broken_model_shows_its_located_error(browser):
    browser.expect_status(422)
    broken = "ctmc\n\nmodule m\n  x : [0..3] init 0;\n  [] x < 3 -> 1.0 : (x' = x + ) ;\nendmodule\n"
    browser.open("/")
    browser.wait(lambda: len(Select(css(browser, "#method")).options) == 3, what="the form")
    fill(browser, "#model-text", broken)
    fill(browser, "#properties-text", "P=? [ F x=3 ]\n")
    css(browser, "#submit-button").click()
    item = browser.wait(lambda: css(browser, "#model-diagnostics li"), what="the diagnostics")
    assert item.get_attribute("data-line") == "5"
    column = int(item.get_attribute("data-column"))
    assert broken.splitlines()[4][column - 1] in ")"
    assert "line 5" in item.text
    assert css(browser, "#model-text").get_attribute("aria-invalid") == "true"
    # The caret under the excerpt points at the column.
    excerpt = item.find_element(By.CSS_SELECTOR, "pre").text.splitlines()
    assert excerpt[1].index("^") == len("5 | ") + column - 1
    assert "job.html" not in browser.driver.current_url
    browser.shot("broken-model")


def test_legacy_from_web_submission_lands_on_the_job_page(browser, base_url):
    # This browser holds a /v1 token, so the job page first asks /v1 (404: the job belongs to an
    # address) and then falls back to the legacy endpoints.
    browser.expect_status(404)
    token = v1_submit(base_url, *corpus("birth_death_infinite"))["token"]
    browser.open("/")
    browser.driver.execute_script("localStorage.setItem('stamina.token', arguments[0])", token)
    model, properties = corpus("birth_death_infinite")
    # The first server's web client posts a form with from_web; the reply redirects.
    browser.driver.execute_script(
        """
        const form = document.createElement('form');
        form.method = 'POST'; form.action = 'jobs'; form.enctype = 'multipart/form-data';
        for (const [name, value] of Object.entries(arguments[0])) {
          const field = document.createElement('textarea'); field.name = name; field.value = value; form.append(field);
        }
        document.body.append(form); form.submit();
        """,
        {"create": "1", "from_web": "1", "model_file": model, "prop_file": properties},
    )
    browser.wait(lambda: "/job.html?id=" in browser.driver.current_url, what="the redirect to the job page")
    browser.wait(lambda: css(browser, "#legacy-note").is_displayed(), what="the legacy job")
    browser.wait(lambda: state_of_page(browser) == "succeeded", timeout=60, what="the legacy job to finish")
    rows = browser.wait(lambda: all_css(browser, "#results-table tbody tr"), what="results from the legacy log")
    assert len(rows) == 2
    assert float(rows[0].find_elements(By.CSS_SELECTOR, "td")[0].text) > 0
    assert all_css(browser, "#plots svg.chart circle.series-dot")
    assert all_css(browser, "#log span.ansi-fg-32")  # [MESSAGE] in green
    field = css(browser, "#rename-input")
    field.clear()
    field.send_keys("from the old client" + Keys.ENTER)
    browser.wait(lambda: css(browser, "#job-title").text.startswith("from the old client"), what="the rename")
    browser.shot("job-legacy")


def test_phone_screen_and_labelled_controls(browser, base_url):
    browser.driver.set_window_size(390, 844)
    browser.open("/")
    browser.wait(lambda: len(Select(css(browser, "#method")).options) == 3, what="the form")
    overflow = browser.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the front page scrolls sideways by {overflow} px on a phone"
    assert unlabelled_controls(browser) == []
    # The keyboard reaches the submit button.
    keyboard = ActionChains(browser.driver)
    for _ in range(40):
        if browser.driver.switch_to.active_element.get_attribute("id") == "submit-button":
            break
        keyboard.send_keys(Keys.TAB).perform()
    assert browser.driver.switch_to.active_element.get_attribute("id") == "submit-button"
    browser.shot("index-phone")

    # A job that finished before its page was opened: the page replays it from the event stream.
    job = v1_submit(base_url, *corpus("birth_death_infinite"))
    assert wait_for_state(base_url, job, {"SUCCEEDED"}) == "SUCCEEDED"
    browser.driver.execute_script("localStorage.setItem('stamina.token', arguments[0])", job["token"])
    browser.open(f"/job.html?id={job['id']}")
    browser.wait(lambda: state_of_page(browser) == "succeeded", timeout=60, what="the job to finish")
    browser.wait(lambda: all_css(browser, "#plots svg.chart"), what="the plots")
    browser.wait(lambda: len(all_css(browser, "#results-table tbody tr")) == 2, what="the results table")
    assert "Finished running!" in css(browser, "#log").text
    overflow = browser.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the job page scrolls sideways by {overflow} px on a phone"
    assert unlabelled_controls(browser) == []
    for chart in all_css(browser, "#plots svg.chart"):
        assert chart.get_attribute("role") == "img"
        assert chart.find_element(By.CSS_SELECTOR, "title").get_attribute("textContent")
    browser.shot("job-phone")


@pytest.mark.skipif(not os.environ.get("STAMINA_TEST_ADMIN_TOKEN"), reason="STAMINA_TEST_ADMIN_TOKEN is not set")
def test_a_pasted_admin_token_shows_every_owners_jobs(browser, base_url):
    first = v1_submit(base_url, *corpus("birth_death_infinite"), name="owner one")
    second = v1_submit(base_url, *corpus("birth_death_infinite"), name="owner two")
    assert first["token"] != second["token"]
    browser.open("/")
    browser.wait(lambda: "no token yet" in css(browser, "#token-state").text, what="the token state")
    css(browser, "#token-input").send_keys(os.environ["STAMINA_TEST_ADMIN_TOKEN"] + Keys.ENTER)
    browser.wait(lambda: all_css(browser, f"tr[data-id='{first['id']}']") and all_css(browser, f"tr[data-id='{second['id']}']"),
                 what="both owners' jobs in the admin's list")
    assert "adm_" not in css(browser, "#token-input").get_attribute("value")
    css(browser, "#forget-token").click()
    browser.driver.switch_to.alert.accept()
    browser.wait(lambda: "no token yet" in css(browser, "#token-state").text, what="the token to be forgotten")
    assert not all_css(browser, f"tr[data-id='{first['id']}']")


BIRTH_DEATH_N = """ctmc
const int N;
module queue
  s : [0..N] init 0;
  [] s < N -> 2.0 : (s' = s + 1);
  [] s > 0 -> 3.0 : (s' = s - 1);
endmodule
label "full" = s = N;
"""


def test_a_constant_range_draws_the_bounds_against_the_constant(browser):
    # N=2:2:8 is four valuations, each a check run: one point per valuation and bound.
    job_id = submit_form(browser, BIRTH_DEATH_N, 'P=? [ F<=10 "full" ]\n', "range", constants="N=2:2:8")
    assert len(job_id) > 10
    browser.wait(lambda: state_of_page(browser) == "succeeded", timeout=120, what="the job to finish")
    section = browser.wait(lambda: css(browser, "#constant-plots"), what="the constant plots")
    browser.wait(lambda: section.is_displayed(), what="the constant plots to be shown")
    charts = all_css(browser, "#constant-charts svg.chart")
    assert len(charts) == 1, [c.get_attribute("outerHTML")[:200] for c in charts]
    chart = charts[0]
    assert "against N" in chart.text
    for bound in ("pmin", "pmax"):
        dots = chart.find_elements(By.CSS_SELECTOR, f"g.series.{bound} circle.series-dot")
        assert len(dots) == 4, f"{bound}: {len(dots)} points"
        xs = [float(dot.get_attribute("cx")) for dot in dots]
        assert xs == sorted(xs) and len(set(xs)) == 4
    # Reaching "full" gets harder as N grows: the upper bound falls from left to right.
    pmax = [float(dot.get_attribute("cy")) for dot in chart.find_elements(By.CSS_SELECTOR, "g.series.pmax circle.series-dot")]
    assert pmax == sorted(pmax) and pmax[0] < pmax[-1]  # SVG y grows downwards
    browser.shot("job-constant-range")


def test_the_app_works_below_the_path_prefix(browser, base_url):
    # As behind nginx at /stamina/ (path-prefix, kept by the proxy): every page, file and API call
    # stays below the prefix.
    model, properties = corpus("birth_death_infinite")
    job_id = submit_form(browser, model, properties, "below the prefix", page="/stamina/")
    assert browser.driver.current_url.startswith(base_url + "/stamina/job.html?id=")
    browser.wait(lambda: state_of_page(browser) == "succeeded", timeout=120, what="the job to finish")
    browser.wait(lambda: all_css(browser, "#results-table tbody tr"), what="the results table")
    assert all_css(browser, "#plots svg.chart circle.series-dot")
    browser.open("/stamina/")
    browser.wait(lambda: css(browser, f"tr[data-id='{job_id}']"), what="the job in the list")
    requested = []
    for entry in browser.driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("data:", "blob:", "about:")):
                requested.append(url)
    assert requested
    outside = [url for url in requested if not url.startswith(base_url + "/stamina/")]
    assert not outside, "requests outside the prefix:\n" + "\n".join(outside)
    browser.shot("index-below-prefix")
