"""``POST /jobs/ism``: a region too long for ``POST /ism`` as a job; every SNV gets what
``POST /ism`` gives it (N bases and positions outside the sequence held: their status on every
ALT), in every job format, with the job's report."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings
from tests.service.jobs.test_jobs import _wait

BASES = "ACGT"
REGION = {"chrom": "20", "start": 59_998, "end": 60_003, "features": ["CpG_island", "tf_motif"]}


@pytest.mark.slow
def test_a_mutagenesis_job_gives_what_post_ism_gives() -> None:
    settings = Settings(job_chunk_variants=7, max_ism_bases=3)  # several chunks; /ism too small
    with TestClient(create_app(settings)) as client:
        refused = client.post("/ism", json=REGION)
        assert refused.status_code == 413 and "POST /jobs/ism" in refused.json()["detail"]
        submitted = client.post("/jobs/ism", json=REGION)
        assert submitted.status_code == 202, submitted.text
        job = submitted.json()["id"]
        status = _wait(client, job)
        assert status["state"] == "finished" and status["chunks_total"] > 1
        # 3 N positions with 4 ALTs each, 3 bases with 3 SNVs each
        assert status["variants_total"] == 3 * 4 + 3 * 3
        assert status["summary"]["unsupported_allele"] == 12 and status["summary"]["scored"] == 9
        lines = client.get(f"/jobs/{job}/result", params={"format": "ndjson"}).text.splitlines()
        rows = [json.loads(line) for line in lines]
        results = [row for row in rows if "status" in row and "alt" in row]
        vcf = client.get(f"/jobs/{job}/result", params={"format": "vcf"}).text
        assert "##in_silico_mutagenesis=20:59998-60003" in vcf
        assert client.get(f"/jobs/{job}/report").status_code == 200
    with TestClient(create_app(Settings())) as client:
        ism = client.post("/ism", json=REGION).json()
    logfold = np.array(ism["logfold"], dtype=float)
    positions = [p["pos"] for p in ism["positions"]]
    assert len(results) == 21
    worst = 0.0
    for result in results:
        row = positions.index(result["pos"])
        assert result["status"] == ism["positions"][row]["status"]
        if result["status"] != "scored":
            assert result["message"] == ism["positions"][row]["message"]
            continue
        for feature in result["features"]:
            cell = logfold[row, BASES.index(result["alt"]), ism["features"].index(feature["name"])]
            worst = max(worst, abs(feature["logfold"] - cell))
    assert worst <= 1e-6


def test_a_mutagenesis_job_too_long_says_how_to_split_it(client: TestClient) -> None:
    body = {"chrom": "20", "start": 1, "end": 100_001}
    response = client.post("/jobs/ism", json=body)
    assert response.status_code == 413
    assert "at most 100000 bp (LOGOSCORE_MAX_ISM_JOB_BASES)" in response.json()["detail"]
