"""The ``logoscore`` command: offline scoring, and the server started as a user starts it."""

from collections.abc import Iterator

import httpx
import pytest

from tests.service.live_server import serving


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


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
