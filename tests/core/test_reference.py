from pathlib import Path

import pytest

from core.reference import ReferenceError, ReferenceGenome, contig_aliases
from tests.conftest import SLICE_START, slice_sequence


def test_slice_record_keeps_true_coordinates(slice_reference: ReferenceGenome) -> None:
    span = slice_reference.spans["20"]
    assert (span.start, span.end, span.record) == (1_280_000, 1_300_000, "20:1280001-1300000")
    # 20:1292033 is the C of the real vt-examples indel 20:1292033 C>CTTGT
    assert slice_reference.fetch("20", 1_292_032, 1_292_033) == "C"
    expected = slice_sequence()[1_292_000 - SLICE_START : 1_292_100 - SLICE_START]
    assert slice_reference.fetch("20", 1_292_000, 1_292_100) == expected


def test_contig_names_resolve_through_aliases(slice_reference: ReferenceGenome) -> None:
    assert slice_reference.resolve("20") == "20"
    assert slice_reference.resolve("chr20") == "20"
    assert slice_reference.resolve("21") is None
    assert contig_aliases("chrM") == ["chrM", "MT", "M", "chrMT"]
    assert contig_aliases("MT")[:2] == ["MT", "M"]


def test_unknown_contig_message_names_what_the_reference_has(
    slice_reference: ReferenceGenome,
) -> None:
    message = slice_reference.unknown_contig_message("chr1")
    assert "'chr1' is not in reference" in message and "it has 20" in message


def test_reads_outside_the_slice_are_refused(slice_reference: ReferenceGenome) -> None:
    with pytest.raises(
        ReferenceError, match=r"20:1279991-1280010 is outside .* \(20:1280001-1300000\)"
    ):
        slice_reference.fetch("20", 1_279_990, 1_280_010)


def test_a_slice_record_whose_length_does_not_match_its_name_is_refused(tmp_path: Path) -> None:
    fasta = tmp_path / "bad.fa"
    fasta.write_text(">20:101-110\nACGT\n")
    with pytest.raises(ValueError, match="names a region of 10 bp but holds 4 bp"):
        ReferenceGenome(fasta)
