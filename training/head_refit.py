"""Head refit: the head of chosen feature groups re-fitted on a frozen encoder, reading the mean
of all hidden states besides the ``cls`` token.

Why: composition features (gene bodies, exons, TSS±2 kb, lamina-associated domains) are about
what a whole window is made of, which the mean of its hidden states shows directly and the
``cls`` token must gather through attention. In issue 3, at 1,500 fine-tuning steps, a head on
the mean of hidden states lifted the annotation group's median AUROC by 0.015 (gene body 0.573
-> 0.632) but cost the motif features 0.11: a motif sits in one place, and a mean dilutes it.
So only the chosen groups read the mean; every other feature keeps its fine-tuned ``cls``
weights exactly (its mean weights are zero).

How: the fine-tuned encoder reads ``bins`` random training bins, one random strand and reading
frame each (as fine-tuning draws them); a logistic regression per refitted feature
(``training.logistic``, one shared scale, so the penalty keeps the raw weights small and the
head as robust to int8 and fp16 rounding as the fine-tuned one) is fitted on ``[cls, mean]`` of
those hidden states, and its weights, with the standardisation folded in, become those
features' rows of a ``cls+mean`` head. The encoder is unchanged; the exported graph gains one
ReduceMean and a Concat.
"""

import logging
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from tqdm import tqdm

from core.manifest import Feature
from training.batches import training_tokens
from training.data.samples import Samples
from training.device import device_of
from training.logistic import StandardisedLogistic
from training.model import LogoModel, cls_and_mean

logger = logging.getLogger(__name__)

REFIT_GROUPS = ("annotation",)
"""The demo model's choice (``logoscore-train refit-head``'s default)."""


@dataclass(frozen=True)
class HeadRefitSettings:
    groups: tuple[str, ...] = REFIT_GROUPS
    bins: int = 40_000
    seed: int = 0
    batch_windows: int = 64


@torch.no_grad()
def head_inputs_of_bins(
    model: LogoModel,
    samples: Samples,
    indices: NDArray[np.int64],
    rng: np.random.Generator,
    batch_windows: int,
) -> NDArray[np.float32]:
    """``[cls, mean]`` of each bin's hidden states, one random strand and frame: ``(n, 2C)``."""
    model.eval()
    rows = []
    batches = range(0, len(indices), batch_windows)
    for offset in tqdm(batches, desc="head refit: encoding", disable=not sys.stderr.isatty()):
        draw = training_tokens(samples, indices[offset : offset + batch_windows], rng)
        hidden = model.encoder(torch.from_numpy(draw.tokens).to(device_of(model)))  # B T C
        rows.append(cls_and_mean(hidden).float().cpu().numpy())
    return np.concatenate(rows)


def refit_head(
    model: LogoModel,
    samples: Samples,
    features: list[Feature],
    settings: HeadRefitSettings,
) -> tuple[LogoModel, dict[str, Any]]:
    """A ``cls+mean`` copy of a ``cls`` model whose head rows of ``settings.groups`` are refitted
    on ``samples``; returns it and a summary for the checkpoint."""
    if model.config.head_input != "cls":
        raise ValueError(
            f"the head already reads {model.config.head_input!r}; refit the fine-tuned "
            "checkpoint (head_input 'cls'), not a refitted one"
        )
    rows = [i for i, feature in enumerate(features) if feature.group in settings.groups]
    if not rows:
        known = ", ".join(dict.fromkeys(feature.group for feature in features))
        raise ValueError(f"no feature is in groups {settings.groups}; the groups are: {known}")
    rng = np.random.default_rng(settings.seed)
    indices = rng.choice(len(samples), size=min(settings.bins, len(samples)), replace=False)
    inputs = head_inputs_of_bins(model, samples, indices, rng, settings.batch_windows)
    fitted = StandardisedLogistic(shared_scale=True).fit(inputs, samples.labels[indices][:, rows])
    weight, bias = fitted.folded()
    refitted = LogoModel(replace(model.config, head_input="cls+mean"))
    refitted.encoder.load_state_dict(model.encoder.state_dict())
    hidden_dim = model.config.hidden_dim
    with torch.no_grad():
        refitted.head.weight.zero_()
        refitted.head.weight[:, :hidden_dim] = model.head.weight
        refitted.head.bias.copy_(model.head.bias)
        refitted.head.weight[rows] = weight
        refitted.head.bias[rows] = bias
    refitted.eval()
    refit = [features[i].name for i in rows]
    logger.info("refitted the head of %d features on %d bins: %s", len(rows), len(indices), refit)
    summary = {
        "groups": list(settings.groups),
        "features": refit,
        "bins": len(indices),
        "seed": settings.seed,
        "reads": "[cls, mean of all hidden states]; one random strand and frame per bin",
    }
    return refitted, summary
