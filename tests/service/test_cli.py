"""The ``logoscore`` command: offline scoring, and the server started as a user starts it."""

import math
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import VT_INDELS_VCF

LOGOSCORE = [sys.executable, "-c", "from service.cli import main; main()"]


def test_score_writes_one_tsv_row_per_alt_and_a_status_summary(tmp_path: Path) -> None:
    out = tmp_path / "indels.tsv"
    result = subprocess.run(
        [*LOGOSCORE, "score", str(VT_INDELS_VCF), "-o", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "194 variants" in result.stderr and "18 scored" in result.stderr
    header, *rows = out.read_text().splitlines()
    columns = header.split("\t")
    assert columns[:7] == ["chrom", "pos", "id", "ref", "alt", "status", "message"]
    assert "CpG_island.logfold" in columns
    assert len(rows) == 194
    first = dict(zip(columns, rows[0].split("\t"), strict=True))
    assert (first["pos"], first["ref"], first["alt"]) == ("421808", "A", "ACCA")
    assert first["status"] == "scored"
    assert math.isfinite(float(first["CpG_island.logfold"]))


def test_score_refuses_an_unsupported_output_name(tmp_path: Path) -> None:
    result = subprocess.run(
        [*LOGOSCORE, "score", str(VT_INDELS_VCF), "-o", str(tmp_path / "x.bed")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "must end in .tsv" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
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
