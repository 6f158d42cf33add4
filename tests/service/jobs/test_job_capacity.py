"""A job holds at most ``LOGOSCORE_MAX_JOB_RESULT_BYTES`` of stored scores: its variants are
capped at that over one variant's stored size for the model, while the upload is read."""

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
