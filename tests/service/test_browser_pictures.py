"""Pictures in a real browser (headless Chromium, as the Swagger UI test): a finished job's report
opened as a user opens it, and an in-silico mutagenesis heatmap asked for through Swagger UI's
"try it out". Screenshots are kept in ``test-artifacts/``; the page's text is checked, and the
browser's own record of what it fetched shows that no request left the server."""

import time
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from service.routes.examples import EXAMPLE_VCF
from tests.service.live_server import serving
from tests.service.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


def _fetched(browser: WebDriver) -> list[str]:  # noqa: F811
    """Every resource the page has fetched, as the browser recorded it."""
    script = "return performance.getEntriesByType('resource').map(e => e.name)"
    return list(browser.execute_script(script))


def _finished_job(server: str) -> dict:
    with EXAMPLE_VCF.open("rb") as handle:
        submitted = httpx.post(f"{server}/jobs", files={"file": ("demo.vcf", handle)}).json()
    for _ in range(600):
        status = httpx.get(f"{server}/jobs/{submitted['id']}").json()
        if status["state"] == "finished":
            return dict(status)
        time.sleep(0.2)
    pytest.fail("the demo job did not finish in 2 minutes")


def test_a_finished_jobs_report_opens_offline_with_its_facts(
    server: str,
    browser: WebDriver,  # noqa: F811
) -> None:
    status = _finished_job(server)
    url = f"{server}/jobs/{status['id']}/report"
    response = httpx.get(url)
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    browser.get(url)
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "chromosomes")))
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "job_report.png"))
    text = browser.find_element(By.TAG_NAME, "body").text
    model = httpx.get(f"{server}/models").json()["models"][0]
    assert model["sha256"] in text
    assert f"scored {status['summary']['scored']}" in text
    results = httpx.get(f"{server}/jobs/{status['id']}/result?format=ndjson").text
    rows = [httpx.Response(200, content=line).json() for line in results.splitlines()]
    best = max(
        (row for row in rows if row.get("status") == "scored"),
        key=lambda row: row["priority_percentile"],
    )
    first_row = browser.find_element(By.CSS_SELECTOR, "#top table tr:nth-child(2) td.summary")
    assert first_row.text == unescape(best["summary"])
    figures = browser.find_elements(By.CSS_SELECTOR, "figure svg")
    assert len(figures) == 7 and all(f.size["height"] > 100 for f in figures)
    assert _fetched(browser) == []  # the page fetched nothing at all


def test_an_ism_heatmap_renders_in_swagger_ui(server: str, browser: WebDriver) -> None:  # noqa: F811
    wait = WebDriverWait(browser, 120)
    browser.get(f"{server}/docs")
    operation = wait.until(ready.presence_of_element_located((By.ID, "operations-pictures-ism")))
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(
        ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-pictures-ism .try-out__btn"))
    ).click()
    media = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-pictures-ism select[aria-label='Media Type']")
        )
    )
    Select(media).select_by_visible_text("image/png")  # Swagger UI shows SVG as its XML source
    operation.find_element(By.CSS_SELECTOR, ".execute").click()
    image = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-pictures-ism .live-responses-table img")
        )
    )
    wait.until(lambda _: image.size["width"] > 300)
    browser.execute_script("arguments[0].scrollIntoView()", image)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "swagger_ui_ism_heatmap.png"))
    status = operation.find_element(
        By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"
    )
    assert status.text.strip().startswith("200")
    assert image.get_attribute("src").startswith("blob:")
    assert all(name.startswith(server) for name in _fetched(browser))
