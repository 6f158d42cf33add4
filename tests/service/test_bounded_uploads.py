"""Uploads past a limit are refused with 413 naming the limit and its setting, at the moment
the limit is crossed; records keep their columns and line numbers; nothing from a header reaches
a log or stderr."""

import gzip
import logging
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.input_limits import DeadlinePassedError
from core.vcf import parse_record
from service.inputs import parse_request_variants, temporary_directory
from service.main import create_app
from service.scoring.pipeline import scored_inputs, scored_records
from service.settings import Settings
from training.data.sources import BCFTOOLS_PACKAGES, unpack_tool

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
RECORD = "20\t1292033\t.\tC\tT\t.\tPASS\t.\n"


@pytest.fixture(scope="module")
def small_limits() -> Iterator[TestClient]:
    settings = Settings(
        max_variants_per_request=50,
        max_variants_per_job=100,
        max_bytes_per_request=200_000,
        max_bytes_per_job=400_000,
        max_line_bytes=10_000,
        max_header_lines=500,
    )
    with TestClient(create_app(settings)) as client:
        yield client


SHAPES = {
    "long line": (HEADER + "20\t1\t.\tA\tG\t.\tPASS\t" + "x" * 100_000 + "\n", "MAX_LINE_BYTES"),
    "blank lines": (HEADER + "\n" * 1_000, "MAX_VARIANTS_PER_"),
    "header lines": ("##fileformat=VCFv4.2\n" + "##x=y\n" * 1_000 + HEADER, "MAX_HEADER_LINES"),
    "tiny records": (HEADER + "20\t1\t.\tA\tG\n" * 1_000, "MAX_VARIANTS_PER_"),
    "bytes": (HEADER + ("20\t1\t.\tA\tG\t.\tPASS\t" + "x" * 9_000 + "\n") * 60, "MAX_BYTES_PER_"),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("route", ["/score/vcf", "/jobs"])
def test_each_hostile_shape_is_413_naming_its_setting(
    small_limits: TestClient, shape: str, route: str
) -> None:
    text, setting = SHAPES[shape]
    upload = gzip.compress(text.encode())
    response = small_limits.post(route, files={"file": ("in.vcf.gz", upload)})
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    kind = "REQUEST" if route == "/score/vcf" else "JOB"
    expected = setting + kind if setting.endswith("_") else setting
    assert f"LOGOSCORE_{expected}" in detail and "limit is" in detail


def test_a_refused_job_leaves_nothing_behind(small_limits: TestClient) -> None:
    text = HEADER + RECORD * 150
    response = small_limits.post("/jobs", files={"file": ("in.vcf", text.encode())})
    assert response.status_code == 413
    store = small_limits.app.state.job_store  # type: ignore[attr-defined]
    assert store.records() == [] and store._chunks == {}


@pytest.mark.parametrize(
    "body",
    [
        '{"variants": NaN}',
        '{"variants": ["20:1:A:G"], "top_k": 1e400}',
        '{"variants": [{"chrom": "20", "pos": Infinity, "ref": "A", "alt": "G"}]}',
    ],
)
def test_non_finite_numbers_are_422(small_limits: TestClient, body: str) -> None:
    response = small_limits.post(
        "/score", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "finite numbers" in response.text


def test_a_json_body_past_what_the_variant_limit_needs_is_413(small_limits: TestClient) -> None:
    body = '{"variants": [' + ",".join(['"20:1292033:C:T"'] * 5_000) + "]}"
    response = small_limits.post(
        "/score", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "LOGOSCORE_MAX_VARIANTS_PER_REQUEST" in response.json()["detail"]


SAMPLES = ("MRN-00424242_DOE_JANE", "MRN-00424242_DOE_JANE")
PATIENT_HEADER = "##patient=<Name=Jane Doe,MRN=00424242,DOB=1987-02-03"  # unterminated


def test_htslib_never_prints_header_lines_or_sample_names(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    text = (
        f"##fileformat=VCFv4.2\n{PATIENT_HEADER}\n"
        f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{SAMPLES[0]}\t{SAMPLES[1]}\n"
        f"20\t1292033\t.\tC\tT\t.\tPASS\t.\tGT\t0|1\t1|1\n"
    )
    with TestClient(create_app(Settings())) as client:
        for route in ("/score/vcf", "/jobs"):
            response = client.post(route, files={"file": ("p.vcf", text.encode())})
            assert response.status_code == 400
            assert "sample names are unique" in response.json()["detail"]
            assert "Jane" not in response.text and "MRN" not in response.text
    out, err = capfd.readouterr()
    for secret in ("00424242", "Jane Doe", "DOE_JANE"):
        assert secret not in caplog.text and secret not in out and secret not in err


def test_a_lone_cr_inside_a_record_keeps_its_columns_and_later_line_numbers(
    client: TestClient, tmp_path: Path
) -> None:
    """A spreadsheet export with a CR inside a record: read as bcftools reads it (a CR is not a
    line end), so the annotated VCF keeps every sample column and bcftools reads it back."""
    text = (
        "##fileformat=VCFv4.2\n##contig=<ID=20>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
        "20\t1292033\trs1\tC\tT\t.\tPASS\tNOTE=a\rb\tGT\t0|1\t1|1\n"
        "20\t1292040\trs2\tG\tA\t.\tPASS\t.\tGT\t0|0\t0|1\n"
        "20\tbad\trs3\tG\tA\t.\tPASS\t.\tGT\t0|0\t0|1\n"
    )
    files = {"file": ("cr.vcf", text.encode())}
    results = client.post("/score/vcf", files=files).json()["results"]
    assert [(r["id"], r["line"], r["status"]) for r in results] == [
        ("rs1", 5, "scored"),
        ("rs2", 6, "scored"),
        ("rs3", 7, "invalid"),
    ]
    annotated = client.post("/score/vcf", files=files, params={"format": "vcf"}).text
    path = tmp_path / "annotated.vcf"
    path.write_text(annotated)
    tool = unpack_tool("bcftools", BCFTOOLS_PACKAGES)
    query = subprocess.run(
        [str(tool.path), "query", "-f", "%ID[\t%GT]\n", str(path)],
        env=tool.environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert query.stdout.splitlines() == ["rs1\t0|1\t1|1", "rs2\t0|0\t0|1"]


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("bom", lambda text: b"\xef\xbb\xbf" + text.encode()),
        ("cr-only", lambda text: text.replace("\n", "\r").encode()),
    ],
)
def test_a_bom_and_cr_only_endings_are_read(client: TestClient, name: str, encode: object) -> None:
    content = encode(HEADER + RECORD)  # type: ignore[operator]
    response = client.post("/score/vcf", files={"file": (f"{name}.vcf", content)})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["scored"]


def test_work_past_its_deadline_stops_before_the_next_chunk(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    inputs = parse_request_variants(["20:1292033:C:T"] * 600)
    before = time.monotonic()
    with pytest.raises(DeadlinePassedError):
        scored_inputs(engine, inputs, deadline=before - 1)
    records = [parse_record(RECORD.rstrip("\n"), 0, 3)]
    with pytest.raises(DeadlinePassedError):
        list(scored_records(engine, records, deadline=before - 1))


def test_upload_leftovers_of_dead_processes_are_removed_at_start() -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = Path(tempfile.gettempdir()) / f"logoscore-upload-{dead.pid}-crashed"
    leftover.mkdir()
    (leftover / "upload.vcf").write_text(HEADER + RECORD)
    with temporary_directory() as live, TestClient(create_app(Settings())):
        assert not leftover.exists()
        assert Path(live).is_dir()  # this process's own upload is left alone
