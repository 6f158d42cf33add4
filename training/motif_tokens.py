"""Token-level motif labels: which k-mer tokens of a training read overlap a strong motif hit.

Fine-tuning can add a dense auxiliary loss (``training.finetune``): a linear layer on every token's
hidden state predicts, per motif feature, whether that token's k-mer overlaps a strong hit of the
motif (the same hits, thresholds and scan that label the bins, ``training.data.motifs``). The
bin label says only "somewhere in the central 200 bp"; the token labels say where, which gives
the encoder about 200 times more supervision per window and makes the motif features learnable
within a CPU afternoon. The auxiliary layer is used in training only and is not exported: the
served model is the LOGO model, unchanged.

Geometry (``core.windows``, ``core.kmers``): a read is ``R = L + k - 1`` bases from the window
start ``w``; frame ``f``'s token ``j`` (1-based; token 0 is ``cls``) reads bases
``[f + k(j - 1), f + kj)`` of the read as oriented. A hit ``[s, e)`` (true coordinates) sits at
``[s - w, e - w)`` of the forward read and at ``[F - (e - w), F - (s - w))`` of the reverse
read, ``F`` the bases fetched from the genome (``R``, or ``L`` with an N-padded frame tail:
``core.windows.reverse_reads``).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.windows import WindowSpec

MOTIF_HITS_FILE = "motif_hits.npz"


@dataclass(frozen=True)
class MotifHits:
    """Strong motif hits, sorted by start: ``[starts, ends)`` as site keys
    (``training.data.shards.site_keys``: contig index and 0-based position in one sortable
    number, so differences within a contig are true distances) and ``motif`` (0-based index into
    ``columns``, the label columns of the motif features)."""

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    motif: NDArray[np.int64]
    columns: NDArray[np.int64]

    @property
    def max_width(self) -> int:
        return int((self.ends - self.starts).max()) if len(self.starts) else 0

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, starts=self.starts, ends=self.ends, motif=self.motif, columns=self.columns
        )

    @classmethod
    def load(cls, path: Path) -> "MotifHits":
        arrays = np.load(path)
        return cls(arrays["starts"], arrays["ends"], arrays["motif"], arrays["columns"])

    @classmethod
    def collect(cls, hits: list[tuple[int, NDArray[np.int64], int]]) -> "MotifHits":
        """From ``(label column, hit starts, motif width)`` per motif feature."""
        starts = [s for _, s, _ in hits]
        all_starts = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        ends = np.concatenate([s + w for _, s, w in hits]) if hits else all_starts
        motif = np.concatenate([np.full(len(s), i) for i, (_, s, _) in enumerate(hits)])
        order = np.argsort(all_starts, kind="stable")
        return cls(
            all_starts[order].astype(np.int64),
            ends[order].astype(np.int64),
            motif[order].astype(np.int64) if hits else np.zeros(0, dtype=np.int64),
            np.array([c for c, _, _ in hits], dtype=np.int64),
        )


def token_motif_labels(
    hits: MotifHits,
    window_starts: NDArray[np.int64],
    strands: NDArray[np.int64],
    frames: NDArray[np.int64],
    spec: WindowSpec,
) -> NDArray[np.float32]:
    """Labels ``(B, T - 1, M)``: 1 where token ``j + 1`` of read ``b`` overlaps a hit of motif
    ``m`` (reads as drawn by ``training.batches.training_tokens``)."""
    read_length, fetched, k = spec.read_length, spec.fetched_length, spec.k
    tokens = spec.length // k
    labels = np.zeros((len(window_starts), tokens, len(hits.columns)), dtype=np.float32)
    max_width = hits.max_width  # a pass over every hit: once per batch, not once per read
    for b, (start, strand, frame) in enumerate(zip(window_starts, strands, frames, strict=True)):
        first = np.searchsorted(hits.starts, start - max_width, side="left")
        last = np.searchsorted(hits.starts, start + read_length, side="left")
        window = slice(first, last)
        for s, e, m in zip(hits.starts[window], hits.ends[window], hits.motif[window], strict=True):
            low, high = int(s - start), int(e - start)
            if (
                strand
            ):  # the reverse read complements the fetched bases (core.windows.reverse_reads)
                low, high = fetched - high, fetched - low
            low, high = max(low, int(frame)), min(high, int(frame) + spec.length)
            if low < high:
                labels[b, (low - frame) // k : (high - 1 - frame) // k + 1, m] = 1.0
    return labels
