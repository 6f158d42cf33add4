"""The batch-job tests' shared input and in-process app."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.reference import ReferenceGenome
from service.main import create_app
from service.settings import DEMO_FASTA, Settings


@pytest.fixture(scope="module")
def snv_vcf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 SNVs at seeded positions of the demo reference, REF read from it, and a malformed
    line: every chunk has model work to do."""
    reference = ReferenceGenome(DEMO_FASTA)
    positions = np.sort(np.random.default_rng(7).integers(10_000, 5_990_000, 100))
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    for i, position in enumerate(positions):
        ref = reference.fetch("20", int(position), int(position) + 1)
        alts = "G,T" if ref in "AC" else "A"
        lines.append(f"20\t{position + 1}\tv{i}\t{ref}\t{alts}\t.\tPASS\t.")
        if i == 40:
            lines.append("20\tnot-a-position\tbad\tA\tG\t.\tPASS\t.")
    path = tmp_path_factory.mktemp("jobs") / "snvs.vcf"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def in_process() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(job_chunk_variants=40))) as client:
        yield client
