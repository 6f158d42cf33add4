"""Held-out metrics: AUROC by hand, and which bins count for which feature."""

import numpy as np

from core.manifest import Feature
from training.evaluate import auroc, evaluation_bins, feature_metrics

FEATURE, FEATURE_2 = Feature("a", "g", "common"), Feature("b", "g", "rare")


def test_auroc_counts_ordered_pairs_and_halves_ties() -> None:
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.4])
    labels = np.array([0, 0, 1, 1, 1])
    # positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4: 1 + 0 + 1 + 1 + 1 + 0.5 = 4.5 of 6
    assert auroc(scores, labels) == 0.75
    assert np.isnan(auroc(scores, np.zeros(5, dtype=int)))


def test_rare_features_count_every_positive_against_the_spaced_negatives() -> None:
    labels = np.zeros((1000, 2), dtype=np.uint8)
    labels[::2, 0] = 1  # common: 500 positives, 50 of them among 100 spaced bins
    labels[[3, 5, 7], 1] = 1  # rare: none of bins 3, 5, 7 is among the spaced ones
    indices, counted = evaluation_bins(labels, 100)
    spaced = np.unique(np.linspace(0, 999, 100).astype(np.int64))
    assert np.array_equal(indices[: len(spaced)], spaced)
    assert indices[len(spaced) :].tolist() == [3, 5, 7]
    assert counted[: len(spaced)].all()
    # the extra bins count for the rare feature only, never for the common one
    assert counted[len(spaced) :, 1].all() and not counted[len(spaced) :, 0].any()
    predictions = np.zeros((len(indices), 2))
    predictions[len(spaced) :, 1] = 1.0  # the three rare positives ranked first
    metrics = feature_metrics(predictions, labels[indices], [FEATURE, FEATURE_2], counted)
    assert metrics["features"]["b"] == {
        "group": "g",
        "auroc": 1.0,
        "auprc": 1.0,
        "positives": 3,
        "bins": len(spaced) + 3,
    }
