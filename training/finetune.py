"""Fine-tuning the chromatin head: BCE on feature-balanced batches, one random strand and
reading frame per sample, plus (when motif hits are given) the token-level motif loss of
``training.motif_tokens``, weighted by ``motif_token_weight``.

Labels are rare and very unequal (on chr20 a motif feature is positive in 0.1-5% of bins, a gene
body in half of them), so ``positive_fraction`` of each batch is drawn feature by feature: pick a
feature uniformly, then one of its positive bins; the rest of the batch is drawn uniformly from
all bins. Every feature, however rare, then sees about the same number of positives. Sampling
"any positive label" instead lets the common features fill the positive half and starves the
motif features (run in issue 3: tf_motif AUROC 0.56 after 900 steps).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from core.effects import sequence_probabilities
from training.batches import serving_tokens, training_tokens
from training.data.loader import StepBatches
from training.data.samples import Samples
from training.loop import LoopHistory, LoopSettings, Validation, run_loop
from training.model import LogoModel, init_weights
from training.motif_tokens import MotifHits, token_motif_labels

VALIDATION_WINDOWS = 2048
"""Validation windows (evenly spaced over the split), each read on both strands in every frame."""


@dataclass(frozen=True)
class FinetuneSettings:
    loop: LoopSettings
    batch_size: int = 32
    positive_fraction: float = 0.5
    """Share of each batch drawn feature by feature (0: uniform draws, no per-feature index)."""
    motif_token_weight: float = 1.0
    motif_token_positive_weight: float = 10.0
    """BCE weight of a positive token label (they are rare: about 1 token in 1,000 per motif)."""


class TokenMotifHead(nn.Module):
    """Training-only: per-token logits of the motif features (``training.motif_tokens``)."""

    def __init__(self, hidden_dim: int, motifs: int) -> None:
        super().__init__()
        self.linear = nn.Linear(hidden_dim, motifs)
        init_weights(self.linear)

    def forward(self, hidden: Tensor) -> Tensor:  # B T C
        return self.linear(hidden)  # type: ignore[no-any-return]


class FinetuneModules(nn.Module):
    """What fine-tuning optimises: the LOGO model and, if any, the token motif head; maps a
    batch (``FinetuneDraw``'s arrays) to its loss."""

    def __init__(
        self,
        model: LogoModel,
        token_head: TokenMotifHead | None,
        token_settings: FinetuneSettings,
        first_kmer: int = 1,
    ) -> None:
        super().__init__()
        self.model = model
        self.token_head = token_head
        self.token_weight = token_settings.motif_token_weight
        self.token_positive_weight = token_settings.motif_token_positive_weight
        self.first_kmer = first_kmer
        """Index of the first k-mer token: 1 after a ``cls``, 0 in LOGO's scheme."""

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        first_only = self.token_head is None and self.model.reads_first_token_only
        hidden = self.model.encoder(batch["tokens"], first_only=first_only)  # B T C, or B 1 C
        logits = self.model.head(self.model.head_inputs(hidden))
        loss = nn.functional.binary_cross_entropy_with_logits(logits.float(), batch["targets"])
        if self.token_head is None:
            return loss
        token_loss = nn.functional.binary_cross_entropy_with_logits(
            self.token_head(hidden[:, self.first_kmer :]).float(),
            batch["token_targets"],
            pos_weight=torch.tensor(self.token_positive_weight, device=hidden.device),
        )
        return loss + self.token_weight * token_loss


def feature_balanced_indices(
    positives: list[NDArray[np.int64]],
    n_samples: int,
    batch_size: int,
    positive_fraction: float,
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """Sample indices: ``positive_fraction`` of the batch are positives of uniformly chosen
    features (``positives[f]`` = the samples positive for feature ``f``; empty ones are never
    chosen), the rest uniform over all ``n_samples``."""
    with_positives = [p for p in positives if len(p)]
    n_positive = round(batch_size * positive_fraction) if with_positives else 0
    features = rng.integers(0, max(1, len(with_positives)), size=n_positive)
    chosen = [int(rng.choice(with_positives[f])) for f in features]
    uniform = rng.integers(0, n_samples, size=batch_size - n_positive)
    return np.concatenate([np.array(chosen, dtype=np.int64), uniform]).astype(np.int64)


@dataclass(frozen=True)
class FinetuneDraw:
    """One fine-tuning batch: tokens of one random strand and frame per window, the windows'
    labels and, with motif hits, the token motif labels."""

    samples: Samples
    positives: list[NDArray[np.int64]]
    settings: FinetuneSettings
    motif_hits: MotifHits | None

    def __call__(self, rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
        settings = self.settings
        indices = feature_balanced_indices(
            self.positives, len(self.samples), settings.batch_size, settings.positive_fraction, rng
        )
        draw = training_tokens(self.samples, indices, rng)
        batch: dict[str, NDArray[np.generic]] = {
            "tokens": draw.tokens,
            "targets": self.samples.windows.labels(indices).astype(np.float32),
        }
        if self.motif_hits is not None:
            batch["token_targets"] = token_motif_labels(
                self.motif_hits,
                self.samples.window_keys(indices),
                draw.strands,
                draw.frames,
                self.samples.spec,
            )
        return batch


def validation_loss(samples: Samples, windows: int = VALIDATION_WINDOWS) -> Validation:
    """Binary cross-entropy of the served prediction (mean over strands and frames) on up to
    ``windows`` evenly spaced windows of ``samples``."""
    indices = np.unique(
        np.linspace(0, len(samples) - 1, min(windows, len(samples))).astype(np.int64)
    )
    labels = samples.windows.labels(indices).astype(np.float64)

    def loss(module: nn.Module) -> float:
        model = module.model if isinstance(module, FinetuneModules) else module
        if not isinstance(model, LogoModel):
            raise TypeError(f"validation_loss reads a LogoModel, got {type(model).__name__}")
        device = next(model.parameters()).device
        probabilities = []
        for offset in range(0, len(indices), 16):
            tokens = serving_tokens(samples, indices[offset : offset + 16])
            rows = model.probabilities(torch.from_numpy(tokens).to(device)).float().cpu().numpy()
            probabilities.append(sequence_probabilities(rows, samples.spec.k))
        p = np.clip(np.concatenate(probabilities), 1e-7, 1 - 1e-7)
        return float(-(labels * np.log(p) + (1 - labels) * np.log1p(-p)).mean())

    return loss


def finetune(
    model: LogoModel,
    samples: Samples,
    settings: FinetuneSettings,
    state_path: Path | None = None,
    resume: bool = False,
    motif_hits: MotifHits | None = None,
    validation: Samples | None = None,
    rank: int = 0,
) -> LoopHistory:
    """Fine-tune ``model`` on ``samples`` in place; with ``motif_hits`` (and a non-zero
    ``motif_token_weight``) the token motif loss is added; with ``validation`` the weights of
    the best validation loss are kept (``training.loop``)."""
    positives = samples.windows.positives() if settings.positive_fraction > 0 else []
    use_tokens = motif_hits is not None and settings.motif_token_weight > 0
    token_head = (
        TokenMotifHead(model.config.hidden_dim, len(motif_hits.columns))
        if use_tokens and motif_hits is not None
        else None
    )
    first_kmer = 1 if samples.spec.vocabulary.cls else 0
    modules = FinetuneModules(model, token_head, settings, first_kmer)
    draw = FinetuneDraw(samples, positives, settings, motif_hits if use_tokens else None)
    batches = StepBatches(draw, settings.loop.seed, rank, settings.loop.accumulate)
    check = validation_loss(validation) if validation is not None and len(validation) else None
    return run_loop(modules, batches, settings.loop, state_path, resume, "fine-tuning", check)
