"""``logoscore submit`` against a real ``logoscore serve``: upload, wait, download; the job's counts
and warnings in ``GET /jobs/{id}``; strict mode; the README's Snakemake example."""

import gzip
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.outputs.bgzf import EOF_BLOCK
from service.routes.examples import EXAMPLE_VCF
from tests.conftest import THOUSAND_GENOMES_VCF
from tests.service.live_server import LOGOSCORE, serving

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


def _submit(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LOGOSCORE, "submit", *arguments, "--quiet"], capture_output=True, text=True, timeout=300
    )


def _job_id(stderr: str) -> str:
    match = re.search(r"job ([0-9a-f]{32}) submitted", stderr)
    assert match, stderr
    return match.group(1)


@pytest.mark.slow
def test_submit_waits_and_downloads_the_bgzipped_result_the_server_gives(
    server: str, tmp_path: Path
) -> None:
    out = tmp_path / "demo.vcf.gz"
    result = _submit(str(EXAMPLE_VCF), "--server", server, "--wait", "-o", str(out))
    assert result.returncode == 0, result.stderr
    job_id = _job_id(result.stderr)
    status = httpx.get(f"{server}/jobs/{job_id}").json()
    assert status["state"] == "finished" and status["warnings"] == []
    assert status["summary"]["scored"] == status["variants_total"] == 12
    assert "12 variants -> " in result.stderr and "12 scored" in result.stderr
    written = out.read_bytes()
    assert written.endswith(EOF_BLOCK)  # BGZF, as bgzip writes it
    plain = httpx.get(f"{server}/jobs/{job_id}/result", params={"format": "vcf"}).text
    assert gzip.decompress(written).decode() == plain
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.slow
def test_a_vcf_on_another_assembly_fails_strict_mode_and_the_job_says_why(
    server: str, tmp_path: Path
) -> None:
    lines = gzip.decompress(THOUSAND_GENOMES_VCF.read_bytes()).decode().splitlines()
    shifted = [
        line if line.startswith("#") else re.sub(r"^(\S+)\t(\d+)", _shift, line) for line in lines
    ]
    vcf = tmp_path / "grch38.vcf"
    vcf.write_text("\n".join(shifted) + "\n")
    out = tmp_path / "out.tsv"
    result = _submit(str(vcf), "--server", server, "--wait", "--strict", "-o", str(out))
    assert result.returncode == 3, result.stderr
    assert "--strict: the run warned" in result.stderr and out.is_file()  # output kept
    status = httpx.get(f"{server}/jobs/{_job_id(result.stderr)}").json()
    assert status["summary"]["ref_mismatch"] > 10
    assert any("probably not on GRCh37" in warning for warning in status["warnings"])
    assert f"warning: {status['warnings'][0]}" in result.stderr


def _shift(match: re.Match[str]) -> str:
    return f"{match.group(1)}\t{int(match.group(2)) + 7}"  # REF no longer matches


@pytest.mark.slow
def test_a_failed_submission_exits_1_and_leaves_no_output(server: str, tmp_path: Path) -> None:
    out = tmp_path / "out.vcf"
    not_vcf = tmp_path / "notes.txt"
    not_vcf.write_text("not a VCF\n")
    refused = _submit(str(not_vcf), "--server", server, "--wait", "-o", str(out))
    assert refused.returncode == 1 and f"{server} answered 400: " in refused.stderr
    unreachable = _submit(
        str(EXAMPLE_VCF), "--server", "http://127.0.0.1:9", "--wait", "-o", str(out)
    )
    assert unreachable.returncode == 1 and "cannot reach http://127.0.0.1:9" in unreachable.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))
    no_output = _submit(str(EXAMPLE_VCF), "--server", server, "--wait")
    assert no_output.returncode == 2 and "--wait needs -o OUT" in no_output.stderr


@pytest.mark.slow
def test_the_readme_snakemake_example_runs_against_the_server(server: str, tmp_path: Path) -> None:
    snakefile = re.search(r"```snakemake\n(.*?)```", README.read_text(), re.DOTALL)
    assert snakefile, "README has no ```snakemake block"
    (tmp_path / "Snakefile").write_text(snakefile.group(1))
    (tmp_path / "sample1.vcf").write_bytes(EXAMPLE_VCF.read_bytes())
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "snakemake"), "sample1.logoscore.vcf.gz", "--cores",
         "1", "--config", f"logoscore_server={server}"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    text = gzip.decompress((tmp_path / "sample1.logoscore.vcf.gz").read_bytes()).decode()
    assert text.count("LOGO_STATUS=scored") == 12
