"""One variant's picture (``GET /score/plot``, ``logoscore plot``), the mutagenesis map from the
CLI (``logoscore ism``), and a run's report (``logoscore score --report``): what they show, and
the same bytes for the same input."""

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.cli import main
from service.routes.examples import EXAMPLE_VCF

VARIANT = "20:1292033:C:T"


def test_a_variant_picture_shows_its_strongest_features_and_their_evalues(
    client: TestClient,
) -> None:
    scored = client.post("/score", json={"variants": [VARIANT], "top_k": 5}).json()["results"][0]
    svg = client.get("/score/plot", params={"variant": VARIANT, "top": 5})
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    text = svg.text
    for feature in scored["features"]:
        assert f">{feature['name']}<" in text
        assert f"E {feature['evalue']:.2g}" in text
    assert scored["summary"] in text.replace("&gt;", ">")
    sha256 = client.get("/models").json()["models"][0]["sha256"]
    assert f"sha256 {sha256}" in text  # a picture names the model and reference that drew it
    assert client.get("/score/plot", params={"variant": VARIANT, "top": 5}).content == svg.content
    png = client.get("/score/plot", params={"variant": VARIANT, "format": "png"})
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    groups = client.get("/score/plot", params={"variant": VARIANT, "features": "annotation"}).text
    assert ">CpG_island<" in groups and ">motif_CTCF<" not in groups


@pytest.mark.parametrize(
    ("variant", "says"),
    [
        ("20:1292033:G:T", "was not scored (ref_mismatch)"),
        ("20:1292033:C:T,A", "is not one variant: several ALTs"),
        ("rs123", "cannot read 'rs123' as a variant"),
    ],
)
def test_a_variant_without_a_picture_says_why(client: TestClient, variant: str, says: str) -> None:
    response = client.get("/score/plot", params={"variant": variant})
    assert response.status_code == 422 and says in response.json()["detail"]


@pytest.mark.slow
def test_the_cli_draws_what_the_api_draws(client: TestClient, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as done:
        main(["plot", VARIANT, "-o", str(tmp_path / "fig.svg")])
    assert done.value.code == 0
    api = client.get("/score/plot", params={"variant": VARIANT}).content
    assert (tmp_path / "fig.svg").read_bytes() == api
    region = {"chrom": "20", "start": 1_292_031, "end": 1_292_033, "features": ["motif_CTCF"]}
    with pytest.raises(SystemExit) as done:
        main(
            ["ism", "20:1292031-1292033", "--feature", "motif_CTCF", "-o", str(tmp_path / "m.svg")]
        )
    assert done.value.code == 0
    assert (tmp_path / "m.svg").read_bytes() == client.post("/ism?format=svg", json=region).content
    with pytest.raises(SystemExit) as done:
        main(
            ["ism", "20:1292031-1292033", "--feature", "motif_CTCF", "-o", str(tmp_path / "m.json")]
        )
    assert json.loads((tmp_path / "m.json").read_text()) == client.post("/ism", json=region).json()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["ism", "20:1292031-1292033", "-o", "map.pdf"], "name the output .svg, .png, .json"),
        (["ism", "20-1292031", "-o", "map.svg"], "write CONTIG:START-END"),
        (["ism", "chrX:1-2", "-o", "map.svg"], "contig 'chrX' is not in reference"),
        (["plot", VARIANT, "-o", "fig.json"], "name the output .svg, .png"),
        (["plot", "20:1292033:G:T", "-o", "fig.svg"], "was not scored (ref_mismatch)"),
    ],
)
def test_the_cli_says_what_to_fix(
    argv: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv[-1] = str(tmp_path / argv[-1])
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code in (1, 2)
    assert says in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_a_run_report_names_the_model_counts_and_top_variant_the_same_twice(
    client: TestClient, tmp_path: Path
) -> None:
    for name, processes in (("one", "1"), ("two", "2")):  # worker processes: the same page
        with pytest.raises(SystemExit) as done:
            main(
                [
                    "score",
                    str(EXAMPLE_VCF),
                    "-o",
                    str(tmp_path / f"{name}.tsv"),
                    "--report",
                    str(tmp_path / f"{name}.html"),
                    "-q",
                    "--processes",
                    processes,
                ]
            )
        assert done.value.code == 0
    page = (tmp_path / "one.html").read_text()
    assert page == (tmp_path / "two.html").read_text()
    model = client.get("/models").json()["models"][0]
    assert model["sha256"] in page
    scored = client.post("/score/vcf", files={"file": EXAMPLE_VCF.open("rb")}).json()
    counts = re.findall(r"<tr><td>(\w+)</td><td class=\"n\">(\d+)</td></tr>", page)
    assert dict((s, int(n)) for s, n in counts) == scored["summary"]
    best = max(
        (r for r in scored["results"] if r["status"] == "scored"),
        key=lambda r: r["priority_percentile"],
    )
    first_row = page.index('<td class="n">1</td>')
    assert page.index(best["summary"].replace("'", "&#x27;"), first_row) < page.index(
        '<td class="n">2</td>', first_row
    )
    assert "<script" not in page and not re.search(r"(src|href)=\"(?!#)|url\((?!#)", page)
