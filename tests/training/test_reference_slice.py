from pathlib import Path

from core.reference import ReferenceGenome
from training.data.reference_slice import read_fasta_record, write_slice


def test_a_written_slice_reads_back_at_its_true_coordinates(tmp_path: Path) -> None:
    source = tmp_path / "chr.fa"
    sequence = "ACGTTGCA" * 20  # 160 bp
    source.write_text(">7 some description\n" + sequence[:70] + "\n" + sequence[70:] + "\n")
    assert read_fasta_record(source, "7") == sequence
    out = write_slice(sequence, "7", 101, 150, tmp_path / "slice.fa")
    assert out.read_text().splitlines()[0] == ">7:101-150"
    reference = ReferenceGenome(out)
    assert (reference.spans["7"].start, reference.spans["7"].end) == (100, 150)
    assert reference.resolve("chr7") == "7"
    assert reference.fetch("7", 100, 150) == sequence[100:150]
