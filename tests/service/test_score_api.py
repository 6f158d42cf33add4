"""POST /score end to end: real chr20 variants, the bundled model, real onnxruntime."""

import json
import math

import numpy as np
import onnxruntime
from fastapi.testclient import TestClient

from core.kmers import batch_tokens
from core.manifest import file_sha256, load_manifest
from core.reference import ReferenceGenome
from core.windows import WindowSpec, allele_windows, reverse_complement
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR

DEMO = load_manifest(DEMO_MODEL_DIR)


def _expected_logfold_and_diff(pos: int, ref: str, alt: str) -> tuple[np.ndarray, np.ndarray]:
    """The DeepSEA numbers computed here step by step, without the service's engine."""
    reference = ReferenceGenome(DEMO_FASTA)
    windows = allele_windows(reference, "20", pos, ref, alt, WindowSpec())
    session = onnxruntime.InferenceSession(str(DEMO_MODEL_DIR / "model.onnx"))
    p = {}
    for allele, sequence in (("ref", windows.ref), ("alt", windows.alt)):
        for strand, seq in (("fwd", sequence), ("rev", reverse_complement(sequence))):
            tokens = batch_tokens([seq], 1000, 5)[0]  # F T
            p[allele, strand] = session.run(None, {"tokens": tokens})[0].mean(axis=0)  # N

    def odds(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 1e-7, 1 - 1e-7)
        return np.log2(x / (1 - x))

    logfold = np.mean([odds(p["alt", s]) - odds(p["ref", s]) for s in ("fwd", "rev")], axis=0)
    diff = np.mean([p["alt", s] - p["ref", s] for s in ("fwd", "rev")], axis=0)
    return logfold, diff


def test_a_real_chr20_snv_is_scored_with_the_deepsea_numbers(client: TestClient) -> None:
    response = client.post("/score", json={"variants": ["20:1292033:C:T"]})
    assert response.status_code == 200
    body = response.json()
    (result,) = body["results"]
    assert (result["chrom"], result["pos"], result["ref"], result["alt"]) == (
        "20",
        1292033,
        "C",
        "T",
    )
    assert result["status"] == "scored" and result["message"] is None
    names = DEMO.feature_names
    assert sorted(f["name"] for f in result["features"]) == sorted(names)
    logfold, diff = _expected_logfold_and_diff(1292033, "C", "T")
    for feature in result["features"]:
        i = names.index(feature["name"])
        assert math.isclose(feature["logfold"], logfold[i], abs_tol=1e-5)
        assert math.isclose(feature["diff"], diff[i], abs_tol=1e-6)
        assert 0 < feature["ref"] < 1 and 0 < feature["alt"] < 1
    magnitudes = [abs(f["logfold"]) for f in result["features"]]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_the_bundled_model_gives_evalues_and_a_priority(client: TestClient) -> None:
    assert DEMO.background is not None and DEMO.prioritiser is not None
    (result,) = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()["results"]
    assert 0.0 < result["priority"] < 1.0
    floor = 1 / json.loads((DEMO_MODEL_DIR / DEMO.background.file).read_text())["count"]
    assert all(floor <= f["evalue"] <= 1.0 for f in result["features"])


def test_every_result_names_the_model_and_the_reference(client: TestClient) -> None:
    body = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()
    assert body["model"] == {
        "name": DEMO.name,
        "version": DEMO.version,
        "sha256": file_sha256(DEMO_MODEL_DIR / "model.fused.onnx"),  # on the CPU, at parity
        "precision": "fp32",
        "graph": "fused",
        "assembly": "GRCh37",
    }
    assert body["reference"]["file"] == DEMO_FASTA.name
    assert body["reference"]["contigs"] == ["20"]


def test_mixed_inputs_come_back_one_per_alt_in_order_each_with_a_status(
    client: TestClient,
) -> None:
    variants = [
        "20:1292033:A:T",
        {"chrom": "chr20", "pos": 1600125, "ref": "GAA", "alt": "G"},
        "chr20-1340527-T-TGTC",
        "1:1000000:A:G",
        "20:7000000:A:G",
        "20:1292033:C:<DEL>",
        "not a variant",
        "20:1292033:C:T,G",
    ]
    response = client.post("/score", json={"variants": variants, "top_k": 2})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["record"], r["alt_index"], r["status"]) for r in results] == [
        (0, 0, "ref_mismatch"),
        (1, 0, "scored"),
        (2, 0, "scored"),
        (3, 0, "unknown_contig"),
        (4, 0, "out_of_bounds"),
        (5, 0, "unsupported_allele"),
        (6, 0, "invalid"),
        (7, 0, "scored"),
        (7, 1, "scored"),
    ]
    assert "does not match the reference 'C'" in results[0]["message"]
    for result in results:
        if result["status"] == "scored":
            assert len(result["features"]) == 2
            assert all(math.isfinite(f["logfold"]) for f in result["features"])
        else:
            assert result["message"] and result["features"] == []
    # two ALTs of one site share the reference windows, so their ref probabilities agree
    ref_of_t = {f["name"]: f["ref"] for f in results[7]["features"]}
    ref_of_g = {f["name"]: f["ref"] for f in results[8]["features"]}
    assert all(ref_of_t[n] == ref_of_g[n] for n in ref_of_t.keys() & ref_of_g.keys())


def test_the_same_variant_as_string_and_object_scores_identically(client: TestClient) -> None:
    body = client.post(
        "/score",
        json={
            "variants": ["20:1292033:C:T", {"chrom": "20", "pos": 1292033, "ref": "C", "alt": "T"}]
        },
    ).json()
    first, second = body["results"]
    assert first["features"] == second["features"]


def test_malformed_requests_get_422_never_500(client: TestClient) -> None:
    not_json = client.post(
        "/score", content=b"{variants: [", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert client.post("/score", json={"variants": []}).status_code == 422
    assert (
        client.post("/score", json={"variants": ["20:1292033:C:T"], "top_k": 0}).status_code == 422
    )
    missing_pos = client.post(
        "/score", json={"variants": [{"chrom": "20", "ref": "C", "alt": "T"}]}
    )
    assert missing_pos.status_code == 422
    assert "pos" in missing_pos.text
