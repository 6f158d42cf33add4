"""The ``logoscore`` command: offline scoring, and the server started as a user starts it."""

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.service.redis_server import free_port

LOGOSCORE = [sys.executable, "-c", "from service.cli import main; main()"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*LOGOSCORE, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("logoscore serve did not become ready in 30 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_with_no_configuration_scores_the_demo(server: str) -> None:
    scored = httpx.post(f"{server}/score", json={"variants": ["20:1292033:C:T"]}).json()
    (result,) = scored["results"]
    assert result["status"] == "scored"
    assert all(abs(f["logfold"]) < float("inf") for f in result["features"])
    mismatch = httpx.post(f"{server}/score", json={"variants": ["20:1292033:G:T"]})
    assert mismatch.status_code == 200
    assert mismatch.json()["results"][0]["status"] == "ref_mismatch"
    malformed = httpx.post(
        f"{server}/score", content=b"{", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
