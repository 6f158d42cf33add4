"""Held-out evaluation: per-feature AUROC of frame- and strand-averaged predictions."""

from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from core.effects import sequence_probabilities
from core.manifest import Feature
from training.batches import serving_tokens
from training.data.samples import Samples
from training.device import device_of
from training.model import LogoModel


def auroc(scores: NDArray[np.floating], labels: NDArray[np.integer]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties averaged); NaN with one class only."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    rank_sum = ranks[labels.astype(bool)].sum()
    return float((rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives))


MIN_POSITIVES = 30


def evaluation_bins(
    labels: NDArray[np.uint8], max_bins: int
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Which bins of a split to predict, and which count for which feature.

    ``max_bins`` evenly spaced bins count for every feature. A feature with fewer than
    ``MIN_POSITIVES`` positives among them also counts every other positive bin of the split,
    against the same evenly spaced negatives: AUROC stays an unbiased estimate (positives and
    negatives are each sampled uniformly), only AUPRC sees a higher share of positives.
    Returns the bin indices ``(n,)`` and the mask ``(n, N)`` for ``feature_metrics``.
    """
    spaced = np.unique(np.linspace(0, len(labels) - 1, min(max_bins, len(labels))).astype(np.int64))
    rare = labels[spaced].sum(axis=0) < MIN_POSITIVES
    is_spaced = np.zeros(len(labels), dtype=bool)
    is_spaced[spaced] = True
    extra = np.flatnonzero(~is_spaced & (labels[:, rare] > 0).any(axis=1))
    indices = np.concatenate([spaced, extra]).astype(np.int64)
    counted = np.ones((len(indices), labels.shape[1]), dtype=bool)
    counted[len(spaced) :] = (labels[extra] > 0) & rare
    return indices, counted


@torch.no_grad()
def predict_windows(
    model: LogoModel,
    samples: Samples,
    indices: NDArray[np.int64],
    batch_windows: int = 16,
) -> NDArray[np.float64]:
    """Probabilities ``(n, N)`` averaged over frames and both strands, as serving computes them."""
    model.eval()
    outputs = []
    for offset in range(0, len(indices), batch_windows):
        chunk = indices[offset : offset + batch_windows]
        tokens = torch.from_numpy(serving_tokens(samples, chunk))  # B*2*F T
        probabilities = model.probabilities(tokens.to(device_of(model))).cpu().numpy()  # B*2*F N
        outputs.append(sequence_probabilities(probabilities, samples.spec.k))  # B N
    return np.concatenate(outputs).astype(np.float64)


def auprc(scores: NDArray[np.floating], labels: NDArray[np.integer]) -> float:
    """Average precision (step-wise area under the precision-recall curve); NaN if no positive."""
    positives = int(labels.sum())
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    hits = labels[order].astype(np.float64)
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / positives)


def feature_metrics(
    predictions: NDArray[np.float64],
    labels: NDArray[np.uint8],
    features: list[Feature],
    counted: NDArray[np.bool_] | None = None,
) -> dict[str, Any]:
    """AUROC and AUPRC per feature, and their medians per feature group (NaNs left out).

    ``counted`` ``(n, N)``, when given, says which rows count for which feature (see
    ``evaluation_bins``); otherwise every row counts for every feature."""
    counted = np.ones(labels.shape, dtype=bool) if counted is None else counted
    per_feature = {}
    for i, feature in enumerate(features):
        rows = counted[:, i]
        scores, truth = predictions[rows, i], labels[rows, i]
        per_feature[feature.name] = {
            "group": feature.group,
            "auroc": round(auroc(scores, truth), 4),
            "auprc": round(auprc(scores, truth), 4),
            "positives": int(truth.sum()),
            "bins": int(rows.sum()),
        }
    groups: dict[str, dict[str, float]] = {}
    for group in dict.fromkeys(feature.group for feature in features):
        members = [m for m in per_feature.values() if m["group"] == group]
        groups[group] = {
            f"median_{metric}": round(float(np.nanmedian([m[metric] for m in members])), 4)
            for metric in ("auroc", "auprc")
        }
    return {"features": per_feature, "groups": groups}
