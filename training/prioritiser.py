"""Fit the prioritiser (``core.prioritiser``), CADD-style on proxy labels.

No pathogenic/benign labels can be had offline: observed 1000 Genomes SNVs stand in for benign
(0), simulated SNVs matched for mutation type for deleterious (1). A logistic regression over
standardised [logfold, diff] (L-BFGS, L2), fitted on positions outside a held-out stretch of the
contig and scored on it (AUROC), then refitted on all variants for export.
"""

from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from core.prioritiser import Prioritiser
from training.evaluate import auroc

L2 = 1e-2
ITERATIONS = 200


def fit_logistic(
    x: NDArray[np.float64], y: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
    """Mean, scale, weights and bias of an L2 logistic regression on standardised ``x``."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    inputs = torch.from_numpy(((x - mean) / scale).astype(np.float32))
    targets = torch.from_numpy(y.astype(np.float32))
    torch.manual_seed(0)
    linear = nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=ITERATIONS)
    loss_function = nn.BCEWithLogitsLoss()

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss: torch.Tensor = loss_function(linear(inputs)[:, 0], targets)
        loss = loss + L2 * linear.weight.square().sum()
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    optimizer.step(closure)  # type: ignore[no-untyped-call]
    weights = linear.weight.detach().numpy()[0].astype(np.float64)
    return mean, scale, weights, float(linear.bias.detach()[0])


def fit_prioritiser(
    logfold: NDArray[np.float64],
    diff: NDArray[np.float64],
    simulated: NDArray[np.bool_],
    positions: NDArray[np.int64],
    held_out: tuple[int, int],
) -> Prioritiser:
    """Held-out AUROC on ``positions`` in ``held_out`` (1-based, inclusive), then a full refit."""
    x = np.concatenate([logfold, diff], axis=1)
    y = simulated.astype(np.int64)
    test = (positions >= held_out[0]) & (positions <= held_out[1])
    mean, scale, weights, bias = fit_logistic(x[~test], y[~test])
    held_out_model = Prioritiser(mean, scale, weights, bias)
    scores = held_out_model.priority(logfold[test], diff[test])
    metrics: dict[str, Any] = {
        "held_out_region": list(held_out),
        "held_out_auroc": round(auroc(scores, y[test]), 4),
        "held_out_variants": int(test.sum()),
        "training_variants": int((~test).sum()),
        "observed": int((y == 0).sum()),
        "simulated": int((y == 1).sum()),
    }
    mean, scale, weights, bias = fit_logistic(x, y)
    description = (
        "Proxy labels, not clinical ones: observed 1000 Genomes SNVs (proxy-benign) against "
        "simulated SNVs matched for mutation type (proxy-deleterious). Not for clinical decisions."
    )
    return Prioritiser(mean, scale, weights, bias, description, metrics)
