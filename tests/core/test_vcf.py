import gzip
from pathlib import Path

import pytest

from core.variants import Variant
from core.vcf import VcfReadError, VcfTruncatedError, read_vcf
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
    with pytest.raises(VcfReadError, match=r"junk\.vcf has no '#CHROM POS ID REF ALT"):
        list(read_vcf(junk))


def truncated_gzip_vcf(path: Path, records: int = 5_000, kept: float = 0.9) -> Path:
    """A gzipped VCF of ``records`` SNVs cut off at ``kept`` of its compressed bytes, past its
    header: an upload broken off mid-transfer. The SNVs lie past the demo reference slice
    (``out_of_bounds`` without a model pass), so reading up to the cut is quick."""
    header = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    rows = "".join(f"20\t{30_000_000 + i}\t.\tC\tT\t.\tPASS\t.\n" for i in range(records))
    whole = gzip.compress((header + rows).encode())
    path.write_bytes(whole[: int(len(whole) * kept)])
    return path


def test_a_gzip_cut_off_after_its_header_is_refused_naming_where(tmp_path: Path) -> None:
    path = truncated_gzip_vcf(tmp_path / "cut.vcf.gz")
    with pytest.raises(VcfTruncatedError, match=r"cut\.vcf\.gz is cut off .* after line \d+"):
        list(read_vcf(path))


def test_a_malformed_line_is_invalid_with_its_line_number_and_later_lines_are_read(
    tmp_path: Path,
) -> None:
    vcf = tmp_path / "mixed.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "20\t1292033\trs1\tC\tT\t.\tPASS\t.\n"
        "20\tabc\t.\tC\tT\t.\tPASS\t.\n"
        "20\t1292040\n"
        "\n"
        "20\t1292050\t.\tC\t<DEL>,T\t.\tPASS\t.\n"
        "20\t1292060\t.\tC\tG\n"
    )
    parsed = list(read_vcf(vcf))
    assert [(p.origin.line, p.origin.record, type(p).__name__) for p in parsed] == [
        (3, 0, "Variant"),
        (4, 1, "InvalidInput"),
        (5, 2, "InvalidInput"),
        (7, 3, "Variant"),
        (7, 3, "Variant"),
        (8, 4, "Variant"),
    ]
    assert parsed[0].origin.record_id == "rs1"
    assert "line 4: POS 'abc' is not a whole number" in parsed[1].message  # type: ignore[union-attr]
    assert "line 5 has 2 tab-separated column(s)" in parsed[2].message  # type: ignore[union-attr]
    assert [p.alt for p in parsed[3:5]] == ["<DEL>", "T"]  # type: ignore[union-attr]


def test_a_header_without_the_column_line_is_refused(tmp_path: Path) -> None:
    vcf = tmp_path / "headless.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n20\t1292033\t.\tC\tT\t.\tPASS\t.\n")
    with pytest.raises(VcfReadError, match="header"):
        list(read_vcf(vcf))
