"""Shared test data: real GRCh37 chr20 slices and VCFs under tests/data (see its README)."""

from pathlib import Path

import pytest

from core.reference import ReferenceGenome

DATA = Path(__file__).parent / "data"
SLICE_FASTA = DATA / "GRCh37_chr20_1280001-1300000.fa"
SLICE_START = 1_280_000  # 0-based true position of the slice's first base
VT_INDELS_VCF = DATA / "vt_normalize_chr20_indels.vcf.gz"
THOUSAND_GENOMES_VCF = DATA / "1000g_chr20_pysam4.vcf.gz"


def slice_sequence() -> str:
    """The test slice read straight from the file, independently of pyfaidx."""
    lines = SLICE_FASTA.read_text().splitlines()
    assert lines[0] == ">20:1280001-1300000"
    return "".join(lines[1:])


@pytest.fixture(scope="session")
def slice_reference() -> ReferenceGenome:
    return ReferenceGenome(SLICE_FASTA)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start a redis-server (through the ``redis_server`` fixture) are ``redis``."""
    for item in items:
        if "redis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)
