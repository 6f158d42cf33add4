"""Token batches for training and evaluation, read through the core tokenizer and windows."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.effects import strand_rows
from core.kmers import batch_tokens
from core.reference import ReferenceGenome
from core.windows import WindowSpec, reference_window, reverse_complement
from training.data.samples import Samples


def window_of(reference: ReferenceGenome, samples: Samples, index: int, spec: WindowSpec) -> str:
    return reference_window(reference, samples.contig, samples.anchor(index), spec)


@dataclass(frozen=True)
class TrainingDraw:
    """Tokens of one batch, and which strand (1: reverse complement) and frame each read."""

    tokens: NDArray[np.int64]  # B T
    strands: NDArray[np.int64]  # B
    frames: NDArray[np.int64]  # B


def training_tokens(
    reference: ReferenceGenome,
    samples: Samples,
    indices: NDArray[np.int64],
    spec: WindowSpec,
    rng: np.random.Generator,
) -> TrainingDraw:
    """One random strand and one random reading frame per sample: tokens ``(B, T)``."""
    windows = [window_of(reference, samples, int(index), spec) for index in indices]
    strands = rng.integers(0, 2, size=len(windows))
    windows = [reverse_complement(w) if s else w for w, s in zip(windows, strands, strict=True)]
    tokens = batch_tokens(windows, spec.length, spec.k)  # B F T
    frames = rng.integers(0, spec.k, size=len(windows))
    return TrainingDraw(tokens[np.arange(len(windows)), frames], strands, frames)


def serving_tokens(
    reference: ReferenceGenome, samples: Samples, indices: NDArray[np.int64], spec: WindowSpec
) -> NDArray[np.int64]:
    """Every strand and frame, as serving reads them: shape ``(B * 2 * F, T)``."""
    windows = [window_of(reference, samples, int(index), spec) for index in indices]
    return strand_rows(windows, spec)
