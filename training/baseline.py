"""The baseline: logistic regression on k-mer counts of the same windows.

Features: counts of every overlapping 5-mer over ``ACGT`` (1,024) in the window, summed over
both strands, ``log1p``-scaled and standardised on the training windows. One logistic
regression per chromatin feature, fitted jointly (``training.logistic.StandardisedLogistic``) on a
random subset of training bins, and scored on the same test bins as the model.
"""

import numpy as np
from numpy.typing import NDArray

from core.kmers import reverse_complement_codes
from training.data.samples import Samples

BASELINE_K = 5
_KMERS = 4**BASELINE_K


def kmer_count_features(samples: Samples, indices: NDArray[np.int64]) -> NDArray[np.float32]:
    """``log1p`` counts of the 5-mers over ``ACGT`` of each window, both strands: (n, 1024)."""
    weights = 4 ** np.arange(BASELINE_K - 1, -1, -1)
    features = np.zeros((len(indices), _KMERS), dtype=np.float32)
    codes = samples.codes(indices)
    for row, window in enumerate(codes):
        for sequence in (window, reverse_complement_codes(window)):
            kmers = np.lib.stride_tricks.sliding_window_view(sequence.astype(np.int64), BASELINE_K)
            kmers = kmers[(kmers < 4).all(axis=1)]  # k-mers with an N are not counted
            features[row] += np.bincount(kmers @ weights, minlength=_KMERS)
    return np.log1p(features)
