"""Fine-tuning the chromatin head: BCE on balanced batches, one random strand and reading frame
per sample. ``positive_fraction`` of each batch comes from bins with at least one positive
label, since most labels are rare.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.batches import training_tokens
from training.data.samples import Samples
from training.device import device_of
from training.loop import LoopHistory, LoopSettings, run_loop
from training.model import LogoModel


@dataclass(frozen=True)
class FinetuneSettings:
    loop: LoopSettings
    batch_size: int = 32
    positive_fraction: float = 0.5


def balanced_indices(
    positive: NDArray[np.int64],
    negative: NDArray[np.int64],
    batch_size: int,
    positive_fraction: float,
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    n_positive = round(batch_size * positive_fraction) if len(positive) else 0
    if not len(negative):
        n_positive = batch_size
    chosen = [
        rng.choice(positive, size=n_positive) if n_positive else positive[:0],
        rng.choice(negative, size=batch_size - n_positive)
        if n_positive < batch_size
        else negative[:0],
    ]
    return np.concatenate(chosen).astype(np.int64)


def finetune(
    model: LogoModel,
    reference: ReferenceGenome,
    samples: Samples,
    spec: WindowSpec,
    settings: FinetuneSettings,
    state_path: Path | None = None,
    resume: bool = False,
) -> LoopHistory:
    """Fine-tune ``model`` on ``samples`` in place."""
    any_positive = samples.labels.any(axis=1)
    positive = np.flatnonzero(any_positive).astype(np.int64)
    negative = np.flatnonzero(~any_positive).astype(np.int64)
    loss_function = nn.BCEWithLogitsLoss()

    def batch_loss(rng: np.random.Generator) -> Tensor:
        indices = balanced_indices(
            positive, negative, settings.batch_size, settings.positive_fraction, rng
        )
        device = device_of(model)
        tokens = torch.from_numpy(training_tokens(reference, samples, indices, spec, rng))  # B T
        targets = torch.from_numpy(samples.labels[indices].astype(np.float32))  # B N
        tokens, targets = tokens.to(device), targets.to(device)
        return loss_function(model(tokens), targets)  # type: ignore[no-any-return]

    return run_loop(model, batch_loss, settings.loop, state_path, resume, "fine-tuning")
