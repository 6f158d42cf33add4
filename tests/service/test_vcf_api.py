"""POST /score/vcf with real chr20 VCFs, gzipped and plain, as Swagger UI uploads them."""

import gzip
import json
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from core.manifest import load_manifest
from core.reference import ReferenceGenome
from core.vcf import read_vcf
from service.inputs import upload_name
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR
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
    assert response.json()["detail"].startswith("notes.txt has no '#CHROM POS ID REF ALT ...'")
    assert "give a VCF or bgzipped VCF" in response.json()["detail"]
    assert "/tmp" not in response.json()["detail"]
    path_like = client.post(
        "/jobs", files={"file": ("../../lab/patient 7.vcf", b"hello\n", "text/plain")}
    )
    assert path_like.status_code == 400  # the name as the client gave it, its last part only
    assert path_like.json()["detail"].startswith("patient 7.vcf has no '#CHROM")
    assert upload_name("C:\\lab\\a\x07b.vcf", Path("upload.vcf")) == "ab.vcf"
    assert upload_name(None, Path("upload.vcf.gz")) == "upload.vcf.gz"


def test_health_and_models(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "live"}
    ready = client.get("/health/ready").json()
    assert ready["status"] == "ready" and ready["provider"] == "CPUExecutionProvider"
    (model,) = client.get("/models").json()["models"]
    assert (model["window"], model["k"], model["assembly"]) == (1000, 5, "GRCh37")
    assert [f["name"] for f in model["features"]] == load_manifest(DEMO_MODEL_DIR).feature_names


def _upload(client: TestClient, **options: object) -> httpx.Response:
    with VT_INDELS_VCF.open("rb") as handle:
        return client.post(
            "/score/vcf",
            files={"file": ("indels.vcf.gz", handle, "application/gzip")},
            **options,  # type: ignore[arg-type]
        )


def test_the_annotated_vcf_on_request(client: TestClient) -> None:
    response = _upload(client, params={"format": "vcf"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/vcf")
    lines = response.text.splitlines()
    assert any(line.startswith("##INFO=<ID=LOGO_PRIORITY,Number=A") for line in lines)
    records = [line for line in lines if not line.startswith("#")]
    assert len(records) == 194
    statuses = [line.split("\t")[7].split("LOGO_STATUS=")[1].split(";")[0] for line in records]
    assert statuses.count("scored") == 18


def test_ndjson_by_accept_header_and_tsv_by_format(client: TestClient) -> None:
    ndjson = _upload(client, headers={"accept": "application/x-ndjson"})
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    head, *rows, tail = [json.loads(line) for line in ndjson.text.splitlines()]
    assert head["model"]["assembly"] == "GRCh37" and len(rows) == 194
    assert tail["summary"]["scored"] == 18 and tail["summary"]["out_of_bounds"] == 176
    tsv = _upload(client, params={"format": "tsv"}, headers={"accept": "application/x-ndjson"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert len([line for line in tsv.text.splitlines() if not line.startswith("#")]) == 1 + 194


def test_features_and_groups_choose_what_is_reported(client: TestClient) -> None:
    response = _upload(client, params={"features": ["chip_seq", "RefSeq_exon"]})
    scored = [r for r in response.json()["results"] if r["status"] == "scored"]
    assert {f["name"] for r in scored for f in r["features"]} == {
        "Oct4_ChIP",
        "Mafk_ChIP",
        "RefSeq_exon",
    }
    assert all([g["group"] for g in r["groups"]] == ["annotation", "chip_seq"] for r in scored)
    for result in scored:
        exon = next(f for f in result["features"] if f["name"] == "RefSeq_exon")
        annotation = result["groups"][0]
        assert annotation["max_abs_diff"] == abs(exon["diff"])
    unknown = _upload(client, params={"features": ["H3K27ac"]})
    assert unknown.status_code == 422
    assert "no feature or group 'H3K27ac'" in unknown.json()["detail"]


def test_a_json_response_counts_statuses_and_warns_of_another_assembly(
    client: TestClient,
) -> None:
    reference = ReferenceGenome(DEMO_FASTA)
    positions = range(1_292_033, 1_292_033 + 12 * 50, 50)
    bases = [reference.fetch("20", pos - 1, pos) for pos in positions]
    wrong = {"A": "C", "C": "G", "G": "T", "T": "A"}
    right = [f"20:{pos}:{base}:{wrong[base]}" for pos, base in zip(positions, bases, strict=True)]
    shifted = [f"20:{pos}:{wrong[base]}:{base}" for pos, base in zip(positions, bases, strict=True)]
    typo = client.post("/score", json={"variants": [*right[:2], shifted[2]]}).json()
    assert typo["summary"]["ref_mismatch"] == 1 and typo["summary"]["scored"] == 2
    assert typo["warnings"] == []  # one typo among three variants is no other assembly
    other = client.post("/score", json={"variants": right[:3] + shifted[3:]}).json()
    assert other["summary"]["ref_mismatch"] == 9 and other["summary"]["scored"] == 3
    assert other["warnings"][0].startswith("REF matches the reference for only 3 of 12 variants")
    assert "probably not on GRCh37" in other["warnings"][0]
    assert other["warnings"][1] == (
        "only 3 of 12 variants were scored (9 ref_mismatch); each result's message says why and "
        "what to do"
    )


def test_variants_outside_the_bundled_slice_say_how_to_score_them(client: TestClient) -> None:
    response = client.post("/score", json={"variants": ["20:30000000:A:G"]}).json()
    (result,) = response["results"]
    assert result["status"] == "out_of_bounds"
    assert result["message"] == (
        "20:30000000 is outside the reference sequence held for 20 (20:1-6000000); the reference "
        "FASTA holds only that slice of 20: score with a whole-chromosome or whole-genome FASTA "
        "(logoscore --fasta, LOGOSCORE_FASTA)"
    )
    assert response["warnings"] == [
        "only 0 of 1 variants were scored (1 out_of_bounds); each result's message says why and "
        "what to do"
    ]


def test_metrics_count_requests_model_rows_cache_and_statuses(client: TestClient) -> None:
    client.post("/score", json={"variants": ["20:1292033:C:T", "20:1292033:C:T", "1:5:A:G"]})
    text = client.get("/metrics").text
    assert 'logoscore_request_seconds_count{method="POST",route="/score",status="200"}' in text
    rows = next(line for line in text.splitlines() if line.startswith("logoscore_model_rows_total"))
    assert float(rows.split()[-1]) > 0
    assert 'logoscore_cache_lookups_total{result="hit"}' in text
    assert 'logoscore_results_total{status="unknown_contig"}' in text
    assert "logoscore_cache_available 1.0" in text


def test_the_example_vcf_downloads_and_scores_in_the_upload_form(client: TestClient) -> None:
    example = client.get("/examples/demo_variants.vcf")
    assert example.status_code == 200
    assert 'filename="demo_variants.vcf"' in example.headers["content-disposition"]
    scored = client.post(
        "/score/vcf", files={"file": ("demo_variants.vcf", example.content, "text/plain")}
    )
    results = scored.json()["results"]
    assert [r["status"] for r in results] == ["scored"] * 12
    assert (results[0]["id"], results[0]["pos"]) == ("rs11906362", 82176)
    assert "/examples/demo_variants.vcf" in client.get("/openapi.json").text
