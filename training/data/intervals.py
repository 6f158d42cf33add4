"""Intervals from BED-like files (BED3+, narrowPeak, broadPeak), and the bins they label.

A file is read once, plain or gzipped (recognised by its first bytes, whatever its name), and its
intervals kept per contig, named as the file names them; ``for_contig`` finds them under any
alias (``chr8`` or ``8``). Lines starting with ``#``, ``track`` or ``browser`` are skipped; a
line with fewer than three tab-separated fields, or whose start and end are not integers with
``start <= end``, is refused with its line number.

Labels follow DeepSEA's rule: a bin ``[b, b + size)`` is labelled 1 when the feature's
intervals cover at least half of it, or when it holds a whole interval (so 1 bp TSS points, short
exons and motif hits count). Coverage is computed from the merged intervals with binary search:
no array as long as the contig.
"""

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from core.reference import contig_aliases

GZIP_MAGIC = b"\x1f\x8b"
BIN_SIZE = 200
"""DeepSEA's bin: 200 bp, centred in a 1000 bp window."""
_SKIPPED = ("#", "track", "browser")


class IntervalFileError(ValueError):
    """A BED-like file that cannot be read as intervals."""


def open_text(path: Path) -> IO[str]:
    """``path`` as text, gunzipped when it starts with gzip's magic bytes (bgzip too)."""
    with path.open("rb") as handle:
        compressed = handle.read(2) == GZIP_MAGIC
    return gzip.open(path, "rt") if compressed else path.open()


@dataclass(frozen=True)
class Intervals:
    """The 0-based half-open intervals of one file, per contig as the file names them."""

    by_contig: dict[str, NDArray[np.int64]]

    @classmethod
    def read(cls, path: Path) -> "Intervals":
        rows: dict[str, list[tuple[int, int]]] = {}
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip() or line.startswith(_SKIPPED):
                    continue
                fields = line.rstrip("\n").split("\t")
                try:
                    start, end = int(fields[1]), int(fields[2])
                except (IndexError, ValueError):
                    raise IntervalFileError(
                        f"{path} line {number}: expected tab-separated CONTIG, START, END "
                        "(BED or narrowPeak), got "
                        f"{line[:60]!r}"
                    ) from None
                if start < 0 or end < start:
                    raise IntervalFileError(
                        f"{path} line {number}: start {start} and end {end} are not an interval "
                        "(BED is 0-based, start <= end)"
                    )
                rows.setdefault(fields[0], []).append((start, end))
        return cls(
            {
                contig: np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
                for contig, pairs in rows.items()
            }
        )

    def for_contig(self, contig: str) -> NDArray[np.int64]:
        """Sorted intervals ``(n, 2)`` of ``contig`` under any of its aliases."""
        found = [self.by_contig[a] for a in contig_aliases(contig) if a in self.by_contig]
        if not found:
            return np.zeros((0, 2), dtype=np.int64)
        both = np.concatenate(found)
        return both[np.lexsort((both[:, 1], both[:, 0]))]


def merged(intervals: NDArray[np.int64]) -> NDArray[np.int64]:
    """The union of sorted intervals, as sorted disjoint intervals."""
    if not len(intervals):
        return intervals.reshape(0, 2)
    ends = np.maximum.accumulate(intervals[:, 1])
    new_run = np.concatenate([[True], intervals[1:, 0] > ends[:-1]])
    starts = intervals[new_run, 0]
    run_ends = ends[np.concatenate([np.flatnonzero(new_run)[1:] - 1, [len(intervals) - 1]])]
    return np.stack([starts, run_ends], axis=1)


def covered_before(disjoint: NDArray[np.int64], positions: NDArray[np.int64]) -> NDArray[np.int64]:
    """Bases of the disjoint sorted intervals below each position."""
    lengths = np.concatenate([[0], np.cumsum(disjoint[:, 1] - disjoint[:, 0])])
    index = np.searchsorted(disjoint[:, 1], positions, side="right")  # intervals ended by then
    partial = np.zeros(len(positions), dtype=np.int64)
    if len(disjoint):
        current = np.minimum(index, len(disjoint) - 1)
        inside = (index < len(disjoint)) & (disjoint[current, 0] < positions)
        partial[inside] = positions[inside] - disjoint[current[inside], 0]
    covered: NDArray[np.int64] = lengths[index] + partial
    return covered


def bin_labels(
    bin_starts: NDArray[np.int64], intervals: NDArray[np.int64], bin_size: int = BIN_SIZE
) -> NDArray[np.uint8]:
    """Label per bin ``[s, s + bin_size)`` of sorted ``bin_starts``: the sorted ``intervals``
    cover at least half of it, or it holds a whole interval."""
    disjoint = merged(intervals)
    overlap = covered_before(disjoint, bin_starts + bin_size) - covered_before(disjoint, bin_starts)
    labels: NDArray[np.bool_] = overlap >= bin_size // 2
    short = intervals[intervals[:, 1] - intervals[:, 0] <= bin_size]
    # bins with end - size <= s <= start hold the whole interval: mark them with a difference array
    first = np.searchsorted(bin_starts, short[:, 1] - bin_size, side="left")
    last = np.searchsorted(bin_starts, short[:, 0], side="right")
    marks = np.zeros(len(bin_starts) + 1, dtype=np.int64)
    np.add.at(marks, first[first < last], 1)
    np.add.at(marks, last[first < last], -1)
    labels |= np.cumsum(marks[:-1]) > 0
    return labels.astype(np.uint8)


def overlapping(
    starts: NDArray[np.int64], ends: NDArray[np.int64], intervals: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Whether each ``[start, end)`` overlaps any of the sorted ``intervals``."""
    disjoint = merged(intervals)
    result: NDArray[np.bool_] = covered_before(disjoint, ends) > covered_before(disjoint, starts)
    return result
