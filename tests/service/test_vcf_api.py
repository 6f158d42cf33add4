"""POST /score/vcf with real chr20 VCFs, gzipped and plain, as Swagger UI uploads them."""

import gzip

from fastapi.testclient import TestClient

from core.manifest import load_manifest
from core.vcf import read_vcf
from service.settings import DEMO_MODEL_DIR
from tests.conftest import THOUSAND_GENOMES_VCF, VT_INDELS_VCF

DEMO_END = 6_000_000


def _expected_status(pos: int, ref: str, alt: str) -> str:
    start = pos - 1 - 499
    end = start + 1004 + max(0, len(ref) - len(alt))
    return "scored" if start >= 0 and end <= DEMO_END else "out_of_bounds"


def test_a_bgzipped_vcf_upload_gives_one_result_per_alt_in_file_order(client: TestClient) -> None:
    with VT_INDELS_VCF.open("rb") as handle:
        response = client.post(
            "/score/vcf",
            files={"file": ("indels.vcf.gz", handle, "application/gzip")},
            params={"top_k": 1},
        )
    assert response.status_code == 200
    results = response.json()["results"]
    variants = list(read_vcf(VT_INDELS_VCF))
    assert len(results) == len(variants) == 194
    assert [(r["pos"], r["ref"], r["alt"], r["line"]) for r in results] == [
        (v.pos, v.ref, v.alt, v.origin.line) for v in variants
    ]
    assert [r["status"] for r in results] == [
        _expected_status(r["pos"], r["ref"], r["alt"]) for r in results
    ]
    scored = [r for r in results if r["status"] == "scored"]
    assert len(scored) == 18
    assert all(len(r["features"]) == 1 for r in scored)


def test_a_plain_vcf_with_samples_is_scored(client: TestClient) -> None:
    plain = gzip.decompress(THOUSAND_GENOMES_VCF.read_bytes())
    response = client.post("/score/vcf", files={"file": ("1000g.vcf", plain, "text/plain")})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 300
    statuses = {r["status"] for r in results}
    assert statuses == {"scored", "out_of_bounds"}
    assert all(r["message"] for r in results if r["status"] != "scored")


def test_an_upload_that_is_not_vcf_gets_400_with_a_fix(client: TestClient) -> None:
    response = client.post("/score/vcf", files={"file": ("notes.txt", b"hello\n", "text/plain")})
    assert response.status_code == 400
    assert "give a VCF or bgzipped VCF" in response.json()["detail"]
    assert "/tmp" not in response.json()["detail"]


def test_health_and_models(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "live"}
    ready = client.get("/health/ready").json()
    assert ready["status"] == "ready" and ready["provider"] == "CPUExecutionProvider"
    (model,) = client.get("/models").json()["models"]
    assert (model["window"], model["k"], model["assembly"]) == (1000, 5, "GRCh37")
    assert [f["name"] for f in model["features"]] == load_manifest(DEMO_MODEL_DIR).feature_names
