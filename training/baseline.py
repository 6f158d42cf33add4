"""The baseline: logistic regression on k-mer counts of the same windows.

Features: counts of every overlapping 5-mer over ``ACGT`` (1,024) in the window, summed over
both strands, ``log1p``-scaled and standardised on the training windows. One logistic
regression per chromatin feature, fitted jointly (a single linear layer, BCE, full-batch
L-BFGS with a small L2 penalty) on a random subset of training bins, and scored on the same test
bins as the model.
"""

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from core.reference import ReferenceGenome
from core.windows import WindowSpec, reverse_complement
from training.batches import window_of
from training.data.motifs import base_codes
from training.data.samples import Samples

BASELINE_K = 5
L2 = 1e-3
ITERATIONS = 200
_KMERS = 4**BASELINE_K


def kmer_count_features(
    reference: ReferenceGenome, samples: Samples, indices: NDArray[np.int64], spec: WindowSpec
) -> NDArray[np.float32]:
    """``log1p`` counts of the 5-mers over ``ACGT`` of each window, both strands: (n, 1024)."""
    weights = 4 ** np.arange(BASELINE_K - 1, -1, -1)
    features = np.zeros((len(indices), _KMERS), dtype=np.float32)
    for row, index in enumerate(indices):
        window = window_of(reference, samples, int(index), spec)
        for sequence in (window, reverse_complement(window)):
            kmers = np.lib.stride_tricks.sliding_window_view(base_codes(sequence), BASELINE_K)
            kmers = kmers[(kmers < 4).all(axis=1)]  # k-mers with an N are not counted
            features[row] += np.bincount(kmers @ weights, minlength=_KMERS)
    return np.log1p(features)


class KmerBaseline:
    """Standardisation and one logistic regression per feature, fitted together."""

    def __init__(self) -> None:
        self.mean: NDArray[np.float32] | None = None
        self.scale: NDArray[np.float32] | None = None
        self.linear: nn.Linear | None = None

    def fit(self, features: NDArray[np.float32], labels: NDArray[np.uint8]) -> "KmerBaseline":
        self.mean = features.mean(axis=0)
        self.scale = features.std(axis=0) + 1e-6
        x = torch.from_numpy((features - self.mean) / self.scale)
        y = torch.from_numpy(labels.astype(np.float32))
        torch.manual_seed(0)
        self.linear = nn.Linear(x.shape[1], y.shape[1])
        optimizer = torch.optim.LBFGS(self.linear.parameters(), max_iter=ITERATIONS)
        loss_function = nn.BCEWithLogitsLoss()

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            assert self.linear is not None
            loss: torch.Tensor = loss_function(self.linear(x), y)
            loss = loss + L2 * self.linear.weight.square().sum()
            loss.backward()  # type: ignore[no-untyped-call]
            return loss

        optimizer.step(closure)  # type: ignore[no-untyped-call]
        return self

    @torch.no_grad()
    def predict(self, features: NDArray[np.float32]) -> NDArray[np.float64]:
        if self.linear is None or self.mean is None or self.scale is None:
            raise RuntimeError("fit the baseline before predicting")
        x = torch.from_numpy((features - self.mean) / self.scale)
        return torch.sigmoid(self.linear(x)).numpy().astype(np.float64)
