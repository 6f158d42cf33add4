"""Scores a person can read: the priority's rank among background variants of its class, group
E-values corrected for their number of features, indels against indels, one summary line, and
the priority described in the same words everywhere."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.calibration import PRIORITY_DESCRIPTION
from core.manifest import load_manifest
from core.reference import ReferenceGenome
from service.main import create_app
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Settings

SNV = "20:1292033:C:T"


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _deletion() -> str:
    reference = ReferenceGenome(DEMO_FASTA)
    bases = reference.fetch("20", 1_300_000 - 1, 1_300_000 + 3)
    return f"20:1300000:{bases}:{bases[0]}"


def test_the_priority_ranks_against_its_class_background(client: TestClient) -> None:
    results = client.post("/score", json={"variants": [SNV, _deletion()]}).json()["results"]
    raw = json.loads((DEMO_MODEL_DIR / "priority_background.json").read_text())
    for result, kind in zip(results, ("snv", "indel"), strict=True):
        background = np.array(raw["classes"][kind]["priorities"])
        below = (background < result["priority"]).sum()
        tied = (background == result["priority"]).sum()
        percentile = 100 * (below + tied / 2) / len(background)
        phred = -10 * np.log10((len(background) - below + 1) / (len(background) + 1))
        assert result["priority_percentile"] == pytest.approx(percentile, abs=0.06)
        assert result["priority_phred"] == pytest.approx(phred, abs=0.06)
        noun = "SNVs" if kind == "snv" else "indels"
        assert result["summary"].startswith(result["features"][0]["name"])
        assert result["summary"].endswith(
            f"priority percentile {result['priority_percentile']:.0f} among random {noun}"
        )


def test_groups_are_corrected_and_indels_compare_with_indels(client: TestClient) -> None:
    snv, indel = client.post("/score", json={"variants": [SNV, _deletion()]}).json()["results"]
    for group in snv["groups"]:
        corrected = min(1.0, group["min_evalue"] * group["features"])
        assert group["evalue"] == pytest.approx(corrected, rel=0.01)
        assert group["features"] == sum(
            1 for f in load_manifest(DEMO_MODEL_DIR).features if f.group == group["group"]
        )
    assert all(f["evalue"] is not None for f in indel["features"])
    assert all(float(f"{f['evalue']:.3g}") == f["evalue"] for f in snv["features"])


def test_the_priority_is_described_in_the_same_words_everywhere(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["VariantResult"]
    assert schema["properties"]["priority"]["description"].startswith(PRIORITY_DESCRIPTION)
    upload = {
        "file": (
            "v.vcf",
            b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n20\t1292033\t.\tC\tT\t.\t.\t.\n",
        )
    }
    vcf = client.post("/score/vcf", files=upload, params={"format": "vcf"}).text
    assert f'ID=LOGO_PRIORITY,Number=A,Type=Float,Description="{PRIORITY_DESCRIPTION}"' in vcf
    tsv = client.post("/score/vcf", files=upload, params={"format": "tsv"}).text
    assert f"# priority: {PRIORITY_DESCRIPTION}\n" in tsv
    card = (DEMO_MODEL_DIR / "MODEL_CARD.md").read_text()
    assert PRIORITY_DESCRIPTION in card and "median priority percentile" in card
