"""``GET /jobs/{id}/report``: one self-contained page per finished job, with the job's model,
counts, warnings and strongest variants, the same page twice; 409 before the job has finished."""

import json
import re
from html import escape, unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.routes.examples import EXAMPLE_VCF
from tests.service.jobs.test_jobs import _submit, _wait


def _mostly_mismatched(tmp_path: Path) -> Path:
    """The demo VCF's 12 SNVs and 12 more whose REF does not match: the job warns."""
    lines = EXAMPLE_VCF.read_text().splitlines()
    records = [line for line in lines if not line.startswith("#")]
    wrong = []
    for line in records:
        columns = line.split("\t")
        columns[3] = next(b for b in "ACGT" if b not in (columns[3], columns[4]))
        wrong.append("\t".join(columns))
    path = tmp_path / "mismatched.vcf"
    path.write_text("\n".join([*lines, *wrong]) + "\n")
    return path


@pytest.mark.slow
def test_a_finished_jobs_report_holds_its_model_counts_and_top_variants(
    in_process: TestClient, tmp_path: Path
) -> None:
    job = str(_submit(in_process, _mostly_mismatched(tmp_path))["id"])
    early = in_process.get(f"/jobs/{job}/report")
    assert early.status_code in (200, 409)  # 409 unless the job was already done
    status = _wait(in_process, job)
    response = in_process.get(f"/jobs/{job}/report")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'")
    page = response.text
    assert page == in_process.get(f"/jobs/{job}/report").text
    assert f'content="{policy}"' in page  # saved to disk, the page keeps its policy
    model = in_process.get("/models").json()["models"][0]
    assert model["sha256"] in page and f"job {job}" in page
    counts = re.findall(r'<tr><td>(\w+)</td><td class="n">(\d+)</td></tr>', page)
    assert {s: int(n) for s, n in counts} == status["summary"]
    warnings = re.findall(r"<li>(.*?)</li>", page)
    assert [unescape(w) for w in warnings] == status["warnings"]
    assert "probably not on GRCh37" in warnings[0]
    results = in_process.get(f"/jobs/{job}/result", params={"format": "ndjson"}).text
    rows = [json.loads(line) for line in results.splitlines()]
    scored = [row for row in rows if row.get("status") == "scored"]
    best = max(scored, key=lambda row: row["priority_percentile"])
    first, second = page.index('<td class="n">1</td>'), page.index('<td class="n">2</td>')
    assert escape(best["summary"]) in page[first:second]
    assert page.count("<svg") == 2 + 5  # percentiles, chromosomes, five variant pictures
    for section in ("provenance", "counts", "percentiles", "top", "chromosomes"):
        assert f'<section id="{section}">' in page
