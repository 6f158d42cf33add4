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

from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.batches import training_tokens
from training.data.samples import Samples
from training.device import device_of
from training.loop import LoopHistory, LoopSettings, run_loop
from training.model import LogoModel, init_weights
from training.motif_tokens import MotifHits, token_motif_labels


@dataclass(frozen=True)
class FinetuneSettings:
    loop: LoopSettings
    batch_size: int = 32
    positive_fraction: float = 0.5
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
    """What fine-tuning optimises: the LOGO model and, if any, the token motif head."""

    def __init__(self, model: LogoModel, token_head: TokenMotifHead | None) -> None:
        super().__init__()
        self.model = model
        self.token_head = token_head


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


def finetune(
    model: LogoModel,
    reference: ReferenceGenome,
    samples: Samples,
    spec: WindowSpec,
    settings: FinetuneSettings,
    state_path: Path | None = None,
    resume: bool = False,
    motif_hits: MotifHits | None = None,
) -> LoopHistory:
    """Fine-tune ``model`` on ``samples`` in place; with ``motif_hits`` (and a non-zero
    ``motif_token_weight``) the token motif loss is added."""
    positives = [
        np.flatnonzero(samples.labels[:, f]).astype(np.int64)
        for f in range(samples.labels.shape[1])
    ]
    use_tokens = motif_hits is not None and settings.motif_token_weight > 0
    token_head = (
        TokenMotifHead(model.config.hidden_dim, len(motif_hits.columns))
        if use_tokens and motif_hits is not None
        else None
    )
    modules = FinetuneModules(model, token_head)
    bin_loss = nn.BCEWithLogitsLoss()

    def batch_loss(rng: np.random.Generator) -> Tensor:
        indices = feature_balanced_indices(
            positives, len(samples.labels), settings.batch_size, settings.positive_fraction, rng
        )
        device = device_of(model)
        draw = training_tokens(reference, samples, indices, spec, rng)
        targets = torch.from_numpy(samples.labels[indices].astype(np.float32)).to(device)  # B N
        hidden = model.encoder(torch.from_numpy(draw.tokens).to(device))  # B T C
        loss: Tensor = bin_loss(model.head(model.head_inputs(hidden)), targets)
        if token_head is None or motif_hits is None:
            return loss
        window_starts = np.array([samples.anchor(int(i)) for i in indices]) - spec.anchor_index
        token_targets = token_motif_labels(
            motif_hits, window_starts, draw.strands, draw.frames, spec
        )  # B T-1 M
        token_loss = nn.functional.binary_cross_entropy_with_logits(
            token_head(hidden[:, 1:]).float(),
            torch.from_numpy(token_targets).to(device),
            pos_weight=torch.tensor(settings.motif_token_positive_weight, device=device),
        )
        return loss + settings.motif_token_weight * token_loss

    return run_loop(modules, batch_loss, settings.loop, state_path, resume, "fine-tuning")
