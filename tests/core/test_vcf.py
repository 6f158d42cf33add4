import gzip
from pathlib import Path

import pytest

from core.variants import Variant
from core.vcf import VcfReadError, read_vcf
from tests.conftest import THOUSAND_GENOMES_VCF, VT_INDELS_VCF


def _data_lines(path: Path) -> list[tuple[int, list[str]]]:
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    return [(n, line.split("\t")) for n, line in enumerate(lines, 1) if not line.startswith("#")]


@pytest.mark.parametrize("path", [VT_INDELS_VCF, THOUSAND_GENOMES_VCF])
def test_every_alt_of_every_record_in_file_order(path: Path) -> None:
    expected = [
        (line, int(fields[1]), fields[3], alt, record)
        for record, (line, fields) in enumerate(_data_lines(path))
        for alt in fields[4].split(",")
    ]
    variants = list(read_vcf(path))
    assert all(isinstance(v, Variant) for v in variants)
    assert [(v.origin.line, v.pos, v.ref, v.alt, v.origin.record) for v in variants] == expected


def test_the_origin_text_never_holds_genotypes() -> None:
    first = next(read_vcf(THOUSAND_GENOMES_VCF))
    assert first.origin.text.count(":") == 3
    assert "/" not in first.origin.text and "|" not in first.origin.text


def test_a_file_that_is_not_vcf_is_refused_with_a_fix(tmp_path: Path) -> None:
    junk = tmp_path / "junk.vcf"
    junk.write_text("hello\n")
    with pytest.raises(VcfReadError, match=r"cannot read junk\.vcf as VCF .* header"):
        list(read_vcf(junk))
