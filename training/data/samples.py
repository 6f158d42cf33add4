"""The windows of one split as training reads them: labels, bases and where each came from.

``Samples`` wraps a split of a prepared dataset (``training.data.shards``) with the model's
window: ``codes`` gives each window's bases as the tokenizer reads them (``read_length`` codes,
the N tail of an ``n-padded`` window appended), so every training step, evaluation and refit
reads exactly what serving reads for the same window.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from core.kmers import ALPHABET, code_tokens
from core.windows import WindowSpec
from training.data.shards import PreparedDataset, WindowSet, site_keys

N_CODE = ALPHABET.index("N")


@dataclass(frozen=True)
class Samples:
    windows: WindowSet
    spec: WindowSpec
    bin_size: int

    @classmethod
    def of(cls, dataset: PreparedDataset, split: str) -> "Samples":
        return cls(dataset.split(split), dataset.spec, dataset.bin_size)

    def __len__(self) -> int:
        return len(self.windows)

    @cached_property
    def labels(self) -> NDArray[np.uint8]:
        """Every window's labels ``(n, N)`` (read once; ``n * N`` bytes)."""
        return self.windows.all_labels()

    def codes(self, indices: NDArray[np.int64]) -> NDArray[np.uint8]:
        """Forward-strand base codes ``(B, read_length)`` as the tokenizer reads them."""
        fetched = self.windows.codes(indices)
        tail = self.spec.read_length - self.spec.fetched_length
        if not tail:
            return fetched
        padding = np.full((len(fetched), tail), N_CODE, dtype=np.uint8)
        return np.concatenate([fetched, padding], axis=1)

    def tokens(self, indices: NDArray[np.int64]) -> NDArray[np.int64]:
        """Forward-strand tokens of every frame: ``(B, F, T)``."""
        return code_tokens(self.codes(indices), self.spec.length, self.spec.vocabulary)

    def window_keys(self, indices: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each window's start as a site key (``training.data.shards.site_keys``)."""
        offset = self.bin_size // 2 - 1 - self.spec.anchor_index
        return site_keys(self.windows.sites(indices)) + offset

    @cached_property
    def bin_starts(self) -> NDArray[np.int64]:
        """Every window's bin start (0-based, on its contig)."""
        sites = self.windows.sites(np.arange(len(self), dtype=np.int64))
        starts: NDArray[np.int64] = sites[:, 1]
        return starts
