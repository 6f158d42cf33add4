"""Normalisation on the real chr20 slice, by hand and against Debian's bcftools."""

import gzip
import re
import subprocess
from pathlib import Path

import pytest

from core.normalize import NormalizedAlleles, normalize
from core.reference import ReferenceGenome
from service.settings import DEMO_FASTA
from tests.conftest import VT_INDELS_VCF
from training.data.sources import BCFTOOLS_PACKAGES, unpack_tool

# chr20:1,282,147-1,282,164 is TTC + 12 T + AAT; chr20:1,285,495-1,285,508 is GC + (GT)x5 + CT.
HAND_CASES = [
    # a T deleted at the right end of the run moves to the C before it
    ((1_282_160, "TT", "T"), (1_282_149, "CT", "C")),
    # a T inserted at the right end, likewise
    ((1_282_161, "T", "TT"), (1_282_149, "C", "CT")),
    # a GT unit deleted at the right end of the dinucleotide repeat
    ((1_285_504, "TGT", "T"), (1_285_496, "CGT", "C")),
    # a block substitution with a shared first and last base is the SNV between them
    ((1_282_147, "TTC", "TAC"), (1_282_148, "T", "A")),
    # an SNV is left as it is
    ((1_282_150, "T", "G"), (1_282_150, "T", "G")),
    # padded on the left with more bases than needed: trimmed to one anchor base
    ((1_282_147, "TTCT", "TTC"), (1_282_149, "CT", "C")),
    # the first base of the sequence held: nothing to prepend, the next base is appended
    ((1_280_001, "G", "GC"), (1_280_001, "G", "GC")),
]


@pytest.mark.parametrize(("given", "expected"), HAND_CASES)
def test_hand_checked_cases(
    slice_reference: ReferenceGenome,
    given: tuple[int, str, str],
    expected: tuple[int, str, str],
) -> None:
    assert normalize(slice_reference, "20", *given) == NormalizedAlleles(*expected)


def _repeat_variants(
    reference: ReferenceGenome, start: int, end: int
) -> list[tuple[int, str, str]]:
    """Indels of one repeat unit written at the right end of each short tandem repeat of
    ``[start, end)`` (unit 1-4 bp, at least 3 units), and block substitutions padded with
    shared bases: the non-canonical forms normalisation must undo."""
    sequence = reference.fetch("20", start, end)
    variants: list[tuple[int, str, str]] = []
    for match in re.finditer(r"([ACGT]{1,4}?)\1{2,}", sequence):
        unit, last = match.group(1), match.end() - 1  # 0-based index of the run's last base
        pos = start + last + 1  # 1-based position of that base
        base = sequence[last]
        variants.append((pos - len(unit), sequence[last - len(unit) : last + 1], base))
        variants.append((pos, base, base + sequence[last - len(unit) + 1 : last + 1]))
    for offset in range(50, end - start - 50, 997):
        ref = sequence[offset : offset + 3]
        middle = "A" if ref[1] != "A" else "C"
        variants.append((start + offset + 1, ref, ref[0] + middle + ref[2]))
    return variants


def _write_vcf(path: Path, variants: list[tuple[int, str, str]]) -> None:
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=20>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    lines += [
        f"20\t{pos}\tv{i}\t{ref}\t{alt}\t.\t.\t." for i, (pos, ref, alt) in enumerate(variants)
    ]
    path.write_text("\n".join(lines) + "\n")


def _bcftools_norm(vcf: Path, fasta: Path) -> list[tuple[str, int, str, str]]:
    tool = unpack_tool("bcftools", BCFTOOLS_PACKAGES)
    command = [str(tool.path), "norm", "-f", str(fasta), "-m", "-", str(vcf)]
    out = subprocess.run(
        command, env=tool.environment(), capture_output=True, text=True, check=True
    )
    records = [line.split("\t") for line in out.stdout.splitlines() if not line.startswith("#")]
    return sorted((f[2], int(f[1]), f[3], f[4]) for f in records)


@pytest.fixture(scope="module")
def chr20_fasta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo reference (chr20:1-6,000,000) under the plain name bcftools looks up: ``20``."""
    fasta = tmp_path_factory.mktemp("ref") / "20.fa"
    lines = DEMO_FASTA.read_text().splitlines()
    assert lines[0] == ">20:1-6000000"
    fasta.write_text("\n".join([">20", *lines[1:]]) + "\n")
    return fasta


def test_same_as_bcftools_norm_on_real_and_repeat_indels(chr20_fasta: Path, tmp_path: Path) -> None:
    reference = ReferenceGenome(DEMO_FASTA)
    with gzip.open(VT_INDELS_VCF, "rt") as handle:
        real = [
            (int(fields[1]), fields[3], alt)
            for fields in (line.split("\t") for line in handle if not line.startswith("#"))
            if int(fields[1]) < 5_999_000
            for alt in fields[4].split(",")
        ]
    variants = real + _repeat_variants(reference, 1_280_000, 1_300_000)
    assert len(real) >= 18 and len(variants) > 300
    vcf = tmp_path / "in.vcf"
    _write_vcf(vcf, variants)
    normalized = [normalize(reference, "20", *variant) for variant in variants]
    ours = sorted((f"v{i}", n.pos, n.ref, n.alt) for i, n in enumerate(normalized))
    assert ours == _bcftools_norm(vcf, chr20_fasta)
    changed = sum((n.pos, n.ref, n.alt) != v for n, v in zip(normalized, variants, strict=True))
    assert changed > len(variants) // 2  # most inputs were written in a non-canonical form
