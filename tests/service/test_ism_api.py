"""``POST /ism``: every SNV of a region, with the numbers ``POST /score`` gives those SNVs, at an
N and at the end of the sequence held as well (statuses, not crashes); the heatmap as SVG or PNG,
the same bytes twice."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

BASES = "ACGT"


def _ism(client: TestClient, chrom: str, start: int, end: int, **extra: object) -> dict:
    response = client.post("/ism", json={"chrom": chrom, "start": start, "end": end, **extra})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _score_grid(client: TestClient, ism: dict) -> list[dict]:
    """``/score``'s results for every SNV of the region, position by position."""
    variants = [
        f"20:{p['pos']}:{p['ref']}:{b}"
        for p in ism["positions"]
        if p["ref"] is not None and p["ref"] in BASES
        for b in BASES
        if b != p["ref"]
    ]
    if not variants:
        return []
    body = {"variants": variants, "features": ism["features"]}
    return list(client.post("/score", json=body).json()["results"])


@pytest.mark.parametrize(
    ("start", "end", "statuses"),
    [
        (1_292_031, 1_292_034, ["scored"] * 4),
        # the end of chr20's first gap: N bases, then bases whose windows hold N
        (59_998, 60_002, ["unsupported_allele"] * 3 + ["scored"] * 2),
        # the demo reference holds 20:1-6000000: windows past 5,999,496 reach beyond it
        (5_999_495, 5_999_498, ["scored", "scored", "out_of_bounds", "out_of_bounds"]),
        (5_999_999, 6_000_002, ["out_of_bounds"] * 4),
    ],
)
def test_ism_equals_score_for_the_same_snvs(
    client: TestClient, start: int, end: int, statuses: list[str]
) -> None:
    ism = _ism(client, "chr20", start, end, features=["CpG_island", "tf_motif"])
    assert ism["region"] == f"20:{start}-{end}" and ism["bases"] == list(BASES)
    assert [p["status"] for p in ism["positions"]] == statuses
    assert ism["summary"]["scored"] == statuses.count("scored")
    logfold, diff = (np.array(ism[k], dtype=float) for k in ("logfold", "diff"))
    assert logfold.shape == (end - start + 1, 4, len(ism["features"]))
    worst = 0.0
    by_position = {p["pos"]: i for i, p in enumerate(ism["positions"])}
    for result in _score_grid(client, ism):
        row = by_position[result["pos"]]
        assert result["status"] == ism["positions"][row]["status"]
        if result["status"] != "scored":
            assert result["message"] == ism["positions"][row]["message"]
            continue
        column = BASES.index(result["alt"])
        for feature in result["features"]:
            k = ism["features"].index(feature["name"])
            worst = max(
                worst,
                abs(feature["logfold"] - logfold[row, column, k]),
                abs(feature["diff"] - diff[row, column, k]),
            )
    assert worst <= 1e-6
    for row, position in enumerate(ism["positions"]):
        if position["status"] == "scored":  # the reference base's own cell: no change
            assert not logfold[row, BASES.index(position["ref"])].any()
        else:
            assert np.isnan(logfold[row]).all() and np.isnan(diff[row]).all()
    assert bool(ism["warnings"]) is (statuses.count("scored") < len(statuses))


def test_an_n_base_says_so(client: TestClient) -> None:
    position = _ism(client, "20", 60_000, 60_000)["positions"][0]
    assert position["ref"] == "N" and position["status"] == "unsupported_allele"
    assert "is N (unknown, an assembly gap)" in position["message"]


@pytest.mark.slow
def test_the_heatmap_comes_as_svg_or_png_the_same_bytes_twice(client: TestClient) -> None:
    body = {"chrom": "20", "start": 1_292_031, "end": 1_292_034}
    svg = client.post("/ism?format=svg", json=body)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    text = svg.text
    assert text.startswith("<?xml") and "<svg" in text and "20:1292031-1292034" in text
    model = client.get("/models").json()["models"][0]
    assert f"sha256 {model['sha256']}" in text and "seqcol" in text
    assert client.post("/ism?format=svg", json=body).content == svg.content
    png = client.post("/ism", json=body, headers={"Accept": "image/png"})
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.post("/ism", json=body, headers={"Accept": "image/png"}).content == png.content
    chosen = client.post("/ism?format=svg", json={**body, "features": ["Oct4_ChIP"]})
    assert chosen.status_code == 200 and ">Oct4_ChIP<" in chosen.text


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"chrom": "chrX", "start": 1, "end": 2}, 422, "contig 'chrX' is not in reference"),
        ({"chrom": "20", "start": 9, "end": 3}, 422, "1 <= start <= end"),
        (
            {"chrom": "20", "start": 1, "end": 101},
            413,
            "at most 100 bp (LOGOSCORE_MAX_ISM_BASES): submit it as a job",
        ),
        ({"chrom": "20", "start": 1, "end": 2, "features": ["CTCF"]}, 422, "did you mean"),
        ({"chrom": "20", "start": 0, "end": 2}, 422, "greater than or equal to 1"),
    ],
)
def test_regions_that_cannot_be_mutated_get_a_clear_4xx(
    client: TestClient, body: dict, status: int, says: str
) -> None:
    response = client.post("/ism", json=body)
    assert response.status_code == status
    assert says in response.text
