"""Nothing patient-identifying reaches the logs: sample names and genotypes stay in the data."""

import logging
import time

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings

SAMPLE = "PATIENT_JANE_DOE_1987"
GENOTYPE = "0|1:77:31,29"
VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=20>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Quality">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Depths">\n'
    f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{SAMPLE}\n"
    f"20\t1292033\t.\tC\tT\t.\tPASS\t.\tGT:GQ:AD\t{GENOTYPE}\n"
    f"20\tnot-a-position\t.\tC\tT\t.\tPASS\t.\tGT:GQ:AD\t{GENOTYPE}\n"
    f"20\t1292040\t.\tG\tA\t.\tPASS\t.\tGT:GQ:AD\t{GENOTYPE}\n"
)


def test_scoring_and_jobs_log_no_sample_names_or_genotypes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(Settings(job_chunk_variants=1))) as client:
        files = {"file": ("patient.vcf", VCF.encode(), "text/plain")}
        direct = client.post("/score/vcf", files=files, params={"format": "vcf"})
        assert direct.status_code == 200 and SAMPLE in direct.text  # the user's own data, kept
        job = client.post("/jobs", files=files).json()
        for _ in range(600):
            if client.get(f"/jobs/{job['id']}").json()["state"] in ("finished", "failed"):
                break
            time.sleep(0.1)
        assert client.get(f"/jobs/{job['id']}").json()["state"] == "finished"
    logged = caplog.text  # messages and any tracebacks
    assert logged  # the service did log (start-up, model, ...)
    assert SAMPLE not in logged and GENOTYPE not in logged
