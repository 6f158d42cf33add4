"""Per-bin labels from BED annotations (hg19 / GRCh37 coordinates).

A 200 bp bin is labelled 1 for a feature when it overlaps the feature's intervals by at least
half of the bin, or holds a whole interval (so 1 bp TSS points and short exons still count).
"""

import gzip
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.reference import contig_aliases

BIN_SIZE = 200


def read_bed_intervals(path: Path, contig: str) -> NDArray[np.int64]:
    """0-based half-open intervals ``(n, 2)`` of ``contig`` (any alias) in a plain or gz BED."""
    names = set(contig_aliases(contig))
    opener = gzip.open if path.suffix == ".gz" else open
    rows: list[tuple[int, int]] = []
    with opener(path, "rt") as handle:
        for line in handle:
            fields = line.split("\t")
            if len(fields) >= 3 and fields[0] in names:
                rows.append((int(fields[1]), int(fields[2])))
    return np.array(sorted(rows), dtype=np.int64).reshape(-1, 2)


def bin_labels(
    bin_starts: NDArray[np.int64], intervals: NDArray[np.int64], span_end: int
) -> NDArray[np.uint8]:
    """Label per bin ``[s, s + 200)``: overlap >= half the bin, or a whole interval inside.

    ``bin_starts`` must be sorted; positions are true 0-based, below ``span_end``.
    """
    delta = np.zeros(span_end + 1, dtype=np.int32)
    for start, end in np.clip(intervals, 0, span_end):
        delta[start] += 1
        delta[end] -= 1
    covered = np.cumsum(delta)[:span_end] > 0
    cumulative = np.concatenate([[0], np.cumsum(covered)])
    overlap = cumulative[np.minimum(bin_starts + BIN_SIZE, span_end)] - cumulative[bin_starts]
    labels: NDArray[np.bool_] = overlap >= BIN_SIZE // 2
    for start, end in intervals[intervals[:, 1] - intervals[:, 0] <= BIN_SIZE]:
        # bins [s, s + 200) with end - 200 <= s <= start hold the whole interval
        first = np.searchsorted(bin_starts, end - BIN_SIZE, side="left")
        last = np.searchsorted(bin_starts, start, side="right")
        labels[first:last] = True
    return labels.astype(np.uint8)
