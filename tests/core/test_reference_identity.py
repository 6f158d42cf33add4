"""References identified by their sequences (GA4GH refget / seqcol digests)."""

from pathlib import Path

from core.reference import ReferenceGenome
from core.reference_identity import sequence_digest, sha512t24u


def test_the_refget_digest_of_the_spec_example() -> None:
    assert sha512t24u(b"ACGT") == "aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"  # GA4GH refget docs
    assert sequence_digest(["AC", "GT"]) == "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"


def _fasta(path: Path, sequence: str, width: int) -> ReferenceGenome:
    rows = [sequence[i : i + width] for i in range(0, len(sequence), width)]
    path.write_text(">20:1-60\n" + "\n".join(rows) + "\n")
    return ReferenceGenome(path)


def test_same_bases_same_identity_whatever_the_name_or_line_width(tmp_path: Path) -> None:
    bases = "ACGTTGCA" * 7 + "ACGT"
    one = _fasta(tmp_path / "one.fa", bases, 60).identity
    two = _fasta(tmp_path / "two.fa", bases.lower(), 7).identity
    changed = _fasta(tmp_path / "three.fa", bases[:30] + "T" + bases[31:], 60).identity
    assert one == two
    assert one.names == ["20:1-60"] and one.lengths == [60]
    assert one.sequences == [sequence_digest([bases])]
    assert changed.digest != one.digest and changed.sequences != one.sequences
