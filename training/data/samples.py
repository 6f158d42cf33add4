"""DeepSEA-style training samples: 200 bp bins tiled along a reference span, labelled per feature.

Each bin ``[b, b + 200)`` is read through the core window extractor with anchor ``b + 99``, which
centres the bin in the 1000 bp window, exactly as serving reads a variant's window. Bins whose
window has more than half N, or does not fit the sequence held, are skipped. Splits are
contiguous regions; a bin belongs to a split only when its whole window lies inside that region,
so no training window overlaps a validation or test window.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.reference import ReferenceGenome
from core.windows import WindowSpec, reference_window
from training.data.labels import BIN_SIZE

MAX_N_FRACTION = 0.5


@dataclass(frozen=True)
class Region:
    """A contiguous 0-based half-open region of one contig."""

    contig: str
    start: int
    end: int


@dataclass(frozen=True)
class Samples:
    """Bins of one split: true 0-based bin starts ``(n,)`` and labels ``(n, N)``."""

    contig: str
    bin_starts: NDArray[np.int64]
    labels: NDArray[np.uint8]

    def anchor(self, index: int) -> int:
        return int(self.bin_starts[index]) + BIN_SIZE // 2 - 1

    def __len__(self) -> int:
        return len(self.bin_starts)


def tile_bins(region: Region, spec: WindowSpec) -> NDArray[np.int64]:
    """Starts of the bins of ``region`` whose whole window lies inside ``region``."""
    starts = np.arange(region.start, region.end - BIN_SIZE + 1, BIN_SIZE, dtype=np.int64)
    window_starts = starts + BIN_SIZE // 2 - 1 - spec.anchor_index
    inside = (window_starts >= region.start) & (window_starts + spec.read_length <= region.end)
    return starts[inside]


def mostly_n(
    reference: ReferenceGenome, contig: str, bin_starts: NDArray[np.int64], spec: WindowSpec
) -> NDArray[np.bool_]:
    """Whether each bin's window is more than half N."""
    return np.array(
        [
            reference_window(reference, contig, int(start) + BIN_SIZE // 2 - 1, spec).count("N")
            > MAX_N_FRACTION * spec.read_length
            for start in bin_starts
        ],
        dtype=bool,
    )
