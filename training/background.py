"""Background SNVs for E-values and the prioritiser.

- Observed: real 1000 Genomes chr20 SNVs from Debian ``python-pysam-tests`` (every ``tabix_data``
  VCF with chr20 SNVs; duplicates across files counted once), kept when REF matches GRCh37 and
  the window fits the contig.
- Simulated: for each observed SNV, ``per_observed`` SNVs of the same mutation type (same REF
  and ALT base) at uniformly drawn chr20 positions whose base is that REF.

Each SNV is scored like a served variant (``training.variant_scoring``). The E-value background is
all of them; the prioritiser learns observed (proxy-benign, 0) against simulated (1).
"""

from pathlib import Path

import numpy as np
from cyvcf2 import VCF

from core.reference import ReferenceGenome
from core.windows import WindowSpec, window_bounds

Snv = tuple[int, str, str]  # 1-based pos, ref, alt


def observed_snvs(
    vcfs: list[Path], reference: ReferenceGenome, contig: str, spec: WindowSpec
) -> list[Snv]:
    """Unique biallelic-or-multiallelic SNVs of ``contig`` in ``vcfs`` that fit and match."""
    found: set[Snv] = set()
    for path in vcfs:
        vcf = VCF(str(path), lazy=True)
        for record in vcf:
            if reference.resolve(record.CHROM) != contig or len(record.REF) != 1:
                continue
            found.update(
                (record.POS, record.REF.upper(), alt.upper()) for alt in record.ALT if len(alt) == 1
            )
        vcf.close()
    return sorted(snv for snv in found if _scorable(snv, reference, contig, spec))


def _scorable(snv: Snv, reference: ReferenceGenome, contig: str, spec: WindowSpec) -> bool:
    pos, ref, alt = snv
    if ref not in "ACGT" or alt not in "ACGT" or ref == alt:
        return False
    start, end = window_bounds(pos, ref, alt, spec)
    span = reference.spans[contig]
    return span.contains(start, end) and reference.fetch(contig, pos - 1, pos) == ref


def simulated_snvs(
    observed: list[Snv],
    reference: ReferenceGenome,
    contig: str,
    spec: WindowSpec,
    per_observed: int,
    rng: np.random.Generator,
) -> list[Snv]:
    """``per_observed`` SNVs per observed one, same REF and ALT, at random positions of REF."""
    span = reference.spans[contig]
    simulated: list[Snv] = []
    for _, ref, alt in observed:
        drawn = 0
        while drawn < per_observed:
            pos = int(rng.integers(span.start + spec.length, span.end - spec.length)) + 1
            if reference.fetch(contig, pos - 1, pos) == ref:
                simulated.append((pos, ref, alt))
                drawn += 1
    return simulated
