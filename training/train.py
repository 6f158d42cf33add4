"""Fine-tuning loop: BCE on the chromatin head, AdamW, a fixed seed, a checkpoint at the end.

Batches draw ``positive_fraction`` of their samples from bins with at least one positive label
(the labels are rare), one random strand and reading frame per sample.
"""

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.batches import training_tokens
from training.data.samples import Samples
from training.model import LogoModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    steps: int = 400
    batch_size: int = 32
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_steps: int = 40
    positive_fraction: float = 0.5
    seed: int = 0
    log_every: int = 20


@dataclass
class TrainHistory:
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        tail = self.losses[-20:]
        return {
            "steps": len(self.losses),
            "final_loss": round(float(np.mean(tail)), 4) if tail else None,
            "seconds": round(self.seconds, 1),
        }


def seed_everything(seed: int) -> np.random.Generator:
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def _batch_indices(
    positive: np.ndarray, negative: np.ndarray, settings: TrainSettings, rng: np.random.Generator
) -> np.ndarray:
    n_positive = round(settings.batch_size * settings.positive_fraction) if len(positive) else 0
    chosen = [
        rng.choice(positive, size=n_positive),
        rng.choice(negative, size=settings.batch_size - n_positive),
    ]
    return np.concatenate(chosen).astype(np.int64)


def train(
    model: LogoModel,
    reference: ReferenceGenome,
    samples: Samples,
    spec: WindowSpec,
    settings: TrainSettings,
) -> TrainHistory:
    """Fine-tune ``model`` on ``samples`` in place; returns the loss history."""
    rng = seed_everything(settings.seed)
    any_positive = samples.labels.any(axis=1)
    positive, negative = np.flatnonzero(any_positive), np.flatnonzero(~any_positive)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / settings.warmup_steps)
    )
    loss_function = nn.BCEWithLogitsLoss()
    history = TrainHistory()
    started = time.perf_counter()
    model.train()
    for step in range(settings.steps):
        indices = _batch_indices(positive, negative, settings, rng)
        tokens = torch.from_numpy(training_tokens(reference, samples, indices, spec, rng))  # B T
        targets = torch.from_numpy(samples.labels[indices].astype(np.float32))  # B N
        loss = loss_function(model(tokens), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        history.losses.append(float(loss.detach()))
        if (step + 1) % settings.log_every == 0:
            logger.info(
                "step %d/%d loss %.4f",
                step + 1,
                settings.steps,
                np.mean(history.losses[-settings.log_every :]),
            )
    history.seconds = time.perf_counter() - started
    return history


def settings_dict(settings: TrainSettings) -> dict[str, Any]:
    return asdict(settings)
