"""Token batches for training and evaluation, read through the core tokenizer and row layout."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.effects import strand_code_rows
from core.kmers import code_tokens
from core.windows import reverse_reads
from training.data.samples import Samples


@dataclass(frozen=True)
class TrainingDraw:
    """Tokens of one batch, and which strand (1: reverse complement) and frame each read."""

    tokens: NDArray[np.int64]  # B T
    strands: NDArray[np.int64]  # B
    frames: NDArray[np.int64]  # B


def training_tokens(
    samples: Samples, indices: NDArray[np.int64], rng: np.random.Generator
) -> TrainingDraw:
    """One random strand and one random reading frame per sample: tokens ``(B, T)``."""
    codes = samples.codes(indices)
    strands = rng.integers(0, 2, size=len(codes))
    reverse = strands == 1
    codes[reverse] = reverse_reads(codes[reverse], samples.spec)
    spec = samples.spec
    tokens = code_tokens(codes, spec.length, spec.vocabulary)  # B F T
    frames = rng.integers(0, spec.k, size=len(codes))
    return TrainingDraw(tokens[np.arange(len(codes)), frames], strands, frames)


def serving_tokens(samples: Samples, indices: NDArray[np.int64]) -> NDArray[np.int64]:
    """Every strand and frame, as serving reads them: shape ``(B * 2 * F, T)``."""
    return strand_code_rows(samples.codes(indices), samples.spec)
