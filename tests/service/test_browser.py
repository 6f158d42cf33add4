"""The real Swagger UI at ``/docs``, driven in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, which ``.ci/run`` installs when missing): upload a VCF through the
``POST /score/vcf`` form, execute, and read scored variants in the rendered response. The
screenshot is kept in ``test-artifacts/``."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.service.live_server import serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
VCF_TEXT = (
    "##fileformat=VCFv4.2\n##contig=<ID=20>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "20\t1292033\trs_demo1\tC\tT\t.\tPASS\t.\n"
    "20\t1600125\t.\tGAA\tG\t.\tPASS\t.\n"
    "20\t1340527\t.\tT\tTGTC,A\t.\tPASS\t.\n"
)
MISSING = (
    "Chromium is needed for the browser test: apt-get install chromium chromium-driver "
    "(.ci/run does this)"
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, MISSING
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,2400")
    session = webdriver.Chrome(options=options, service=Service(driver))
    try:
        yield session
    finally:
        session.quit()


def test_a_vcf_uploaded_through_swagger_ui_comes_back_scored(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    vcf = tmp_path / "four_alts.vcf"
    vcf.write_text(VCF_TEXT)
    wait = WebDriverWait(browser, 60)
    browser.get(f"{server}/docs")
    operation = wait.until(ready.presence_of_element_located((By.ID, "operations-score-score-vcf")))
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(
        ready.element_to_be_clickable(
            (By.CSS_SELECTOR, "#operations-score-score-vcf .try-out__btn")
        )
    ).click()
    upload = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-score-score-vcf input[type=file]")
        )
    )
    upload.send_keys(str(vcf))
    operation.find_element(By.CSS_SELECTOR, ".execute").click()
    body = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-score-score-vcf .live-responses-table .highlight-code")
        )
    )
    wait.until(lambda _: '"scored"' in body.text)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "swagger_ui_score_vcf.png"))
    status = operation.find_element(
        By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"
    )
    assert status.text.strip().startswith("200")
    assert body.text.count('"status": "scored"') == 4 and '"sha256"' in body.text
