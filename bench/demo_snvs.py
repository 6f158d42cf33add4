"""SNVs at random real positions of the demo slice (contig 20), for the benchmarks."""

import numpy as np

from core.reference import ReferenceGenome
from core.variants import Origin, Variant


def demo_snvs(reference: ReferenceGenome, count: int, seed: int) -> list[Variant]:
    """``count`` SNVs at random non-N positions of contig 20, 1 kb from its ends; the ALT
    cycles through the three other bases."""
    rng = np.random.default_rng(seed)
    span = reference.spans["20"]
    variants: list[Variant] = []
    while len(variants) < count:
        pos = int(rng.integers(span.start + 1000, span.end - 1000))
        ref = reference.fetch("20", pos - 1, pos)
        if ref == "N":
            continue
        alt = "ACGT"[("ACGT".index(ref) + 1 + len(variants) % 3) % 4]
        variants.append(Variant("20", pos, ref, alt, Origin(record=len(variants))))
    return variants
