"""Golden outputs: every entry point x every format on the committed test VCFs, written once
before a restructure and compared after it (``tests/test_golden_outputs.py``).

Numbers are compared with a tolerance (``same_text``): the model's last digits differ between
CPUs (AVX-512 or AVX2, Intel or AMD), everything else must be identical.

    .venv/bin/python -m tests.golden      # (re)write tests/data/golden/*.gz
"""

import gzip
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

from fastapi.testclient import TestClient

from service.main import create_app
from service.routes.examples import EXAMPLE_VCF
from service.settings import Settings
from tests.conftest import DATA, THOUSAND_GENOMES_VCF, VT_INDELS_VCF

GOLDEN = DATA / "golden"
MALFORMED = (
    "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
    "20\t1292033\tmulti\tC\tT,G,<DEL>\t.\tPASS\t.\tGT\t0|1\n"
    "20\tnot-a-position\tbad\tC\tT\t.\tPASS\t.\tGT\t0|1\n"
    "20\t1292040\n"
    "\n"
    "chr20\t1282160\tleft\tTT\tT\t.\tPASS\t.\tGT\t1|1\n"
    "21\t100000\tcontig\tA\tG\t.\tPASS\t.\tGT\t0|0\n"
)
SCORE_BODY = {
    "variants": [
        "20:1292033:C:T",
        "chr20-1340527-T-TGTC",
        {"chrom": "20", "pos": 1600125, "ref": "GAA", "alt": "G"},
        "20:1292033:G:A",
        "nonsense",
        "20:1292033:C:<DEL>",
    ],
    "top_k": 4,
}
API_FORMATS = ("json", "ndjson", "tsv", "vcf")
JOB_FORMATS = ("ndjson", "tsv", "vcf")
CLI_SUFFIXES = {"vcf": ".vcf", "tsv": ".tsv", "ndjson": ".jsonl"}


def inputs(work: Path) -> dict[str, Path]:
    malformed = work / "malformed.vcf"
    malformed.write_text(MALFORMED)
    return {
        "1000g": THOUSAND_GENOMES_VCF,
        "indels": VT_INDELS_VCF,
        "demo": EXAMPLE_VCF,
        "malformed": malformed,
    }


def _job_result(client: TestClient, vcf: Path, output_format: str) -> str:
    submitted = client.post("/jobs", files={"file": (vcf.name, vcf.read_bytes())}).json()
    for _ in range(3000):
        if client.get(f"/jobs/{submitted['id']}").json()["state"] in ("finished", "failed"):
            break
        time.sleep(0.1)
    result = client.get(f"/jobs/{submitted['id']}/result", params={"format": output_format})
    return result.text


def _cli(vcf: Path, output_format: str, work: Path) -> str:
    out = work / f"{vcf.name}.out{CLI_SUFFIXES[output_format]}"
    command = [sys.executable, "-c", "from service.cli import main; main()", "score", "-q"]
    subprocess.run([*command, str(vcf), "-o", str(out)], check=True, capture_output=True)
    return out.read_text()


def outputs(work: Path) -> Iterator[tuple[str, str, str]]:
    """``(fixture, entry point, text)`` for every entry point and format on every golden input;
    the fixture ``INPUT.FORMAT`` is shared by the entry points that must agree."""
    with TestClient(create_app(Settings(job_chunk_variants=40))) as client:
        yield "score.json", "POST /score", client.post("/score", json=SCORE_BODY).text
        for name, vcf in inputs(work).items():
            for output_format in API_FORMATS:
                response = client.post(
                    "/score/vcf",
                    files={"file": (vcf.name, vcf.read_bytes())},
                    params={"format": output_format},
                )
                yield f"{name}.{output_format}", "POST /score/vcf", response.text
            for output_format in JOB_FORMATS:
                text = _job_result(client, vcf, output_format)
                yield f"{name}.{output_format}", "POST /jobs", text
            for output_format in CLI_SUFFIXES:
                # the CLI streams: its VCF cannot carry warnings before its records
                fixture = f"{name}.vcf.cli" if output_format == "vcf" else f"{name}.{output_format}"
                yield fixture, "logoscore score", _cli(vcf, output_format, work)


_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def same_text(actual: str, expected: str) -> str | None:
    """``None`` when the texts match (numbers with a decimal point or exponent within 1e-3,
    everything else exactly); else where they first differ."""
    actual_parts, expected_parts = _NUMBER.split(actual), _NUMBER.split(expected)
    if actual_parts != expected_parts:
        pairs = zip_longest(actual_parts, expected_parts, fillvalue="")
        a, e = next((a, e) for a, e in pairs if a != e)
        return f"text differs: {a[:80]!r} vs {e[:80]!r}"
    for a, e in zip(_NUMBER.findall(actual), _NUMBER.findall(expected), strict=True):
        if a == e:
            continue
        exact = not any(c in a + e for c in ".eE")
        if exact or not math.isclose(float(a), float(e), rel_tol=1e-3, abs_tol=1e-3):
            return f"number differs: {a} vs {e}"
    return None


def main() -> None:
    import tempfile

    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for fixture, entry_point, text in outputs(Path(work)):
            path = GOLDEN / f"{fixture}.gz"
            if not path.exists():  # the first entry point writes; the others must agree
                path.write_bytes(gzip.compress(text.encode(), 9, mtime=0))
            elif problem := same_text(text, expected(fixture)):
                raise SystemExit(f"{entry_point} disagrees on {fixture}: {problem}")


def expected(fixture: str) -> str:
    return gzip.decompress((GOLDEN / f"{fixture}.gz").read_bytes()).decode()


if __name__ == "__main__":
    main()
