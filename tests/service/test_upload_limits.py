"""Variants are capped by what they would take, not only by count: a job's stored scores by
``LOGOSCORE_MAX_JOB_RESULT_BYTES``, a synchronous answer held whole by
``LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST`` (a model of many features reaches them first)."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.status import Status
from core.variants import parse_variant_string
from service.main import create_app
from service.scoring.engine import open_engine
from service.scoring.scores import ScoreValues, VariantScore, stored_bytes
from service.settings import Settings

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
SNVS = ["20\t1292033\t.\tC\tT\t.\tPASS\t.\n", "20\t1292034\t.\tA\tG\t.\tPASS\t.\n"]
DEMO_PER_VARIANT = stored_bytes(45, True)


@pytest.mark.parametrize("features", [45, 919])
def test_a_stored_score_takes_about_what_stored_bytes_says(features: int) -> None:
    engine = open_engine(Settings())
    (score,) = engine.score(parse_variant_string("20:1292033:C:T", 0))
    assert score.status is Status.SCORED and score.values is not None
    arrays = [np.resize(getattr(score.values, f), features) for f in ("ref", "alt", "diff")]
    values = ScoreValues(*arrays, arrays[0], arrays[1], score.values.priority, score.values.rank)
    stored = len(
        json.dumps(
            VariantScore(score.parsed, score.status, None, score.normalized, values).stored()
        )
    )
    assert stored <= stored_bytes(features, True) <= stored + 256
    assert DEMO_PER_VARIANT == 2_696 and stored_bytes(919, True) == 49_312


def test_a_job_past_what_its_scores_may_take_is_413_saying_so() -> None:
    settings = Settings(max_job_result_bytes=3 * DEMO_PER_VARIANT)
    with TestClient(create_app(settings)) as client:
        fits = client.post("/jobs", files={"file": ("in.vcf", HEADER + SNVS[0] * 3)})
        assert fits.status_code == 202, fits.text
        refused = client.post("/jobs", files={"file": ("in.vcf", HEADER + SNVS[1] * 4)})
        mutagenesis = client.post("/jobs/ism", json={"chrom": "20", "start": 1, "end": 2})
    assert refused.status_code == 413
    detail = refused.json()["detail"]
    assert (
        f"about {DEMO_PER_VARIANT:,} bytes" in detail and "a job holds at most 3 variants" in detail
    )
    assert "LOGOSCORE_MAX_JOB_RESULT_BYTES" in detail and "split the VCF" in detail
    assert mutagenesis.status_code == 413
    assert "at most 0 bp (LOGOSCORE_MAX_JOB_RESULT_BYTES" in mutagenesis.json()["detail"]


def test_an_answer_held_whole_is_bounded_by_its_feature_values() -> None:
    """JSON reports top_k (or every selected) feature a variant, TSV every selected: past
    LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST, 413 saying how to ask for less; NDJSON streams and
    the VCF reports groups, so neither is bounded by it."""
    settings = Settings(max_feature_values_per_request=3 * 45)
    four = [f"20:{1292033 + i}:N:A" for i in range(4)]
    vcf = HEADER + "".join(f"20\t{1292033 + i}\t.\tC\tT\t.\tPASS\t.\n" for i in range(4))
    with TestClient(create_app(settings)) as client:
        refused = client.post("/score", json={"variants": four})
        assert client.post("/score", json={"variants": four, "top_k": 30}).status_code == 200
        answers = {
            output: client.post(
                "/score/vcf", params={"format": output}, files={"file": ("in.vcf", vcf)}
            )
            for output in ("json", "tsv", "ndjson", "vcf")
        }
    assert refused.status_code == 413
    detail = refused.json()["detail"]
    assert "4 variants: an answer reporting 45 features a variant holds at most 3" in detail
    assert "LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST" in detail and "top_k" in detail
    statuses = {output: answer.status_code for output, answer in answers.items()}
    assert statuses == {"json": 413, "tsv": 413, "ndjson": 200, "vcf": 200}
    assert "LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST" in answers["tsv"].json()["detail"]
