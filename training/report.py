"""The evaluation report: LOGO fine-tuned from pretraining and from scratch, the k-mer baseline,
and the motif-breaking SNV check, on the held-out test split; JSON and Markdown."""

import logging
from pathlib import Path
from typing import Any

import numpy as np

from core.reference import ReferenceGenome
from training.baseline import kmer_count_features
from training.checkpoint import load_checkpoint
from training.data.features import motif_feature_name
from training.data.motifs import background_of, base_codes, load_motifs
from training.data.samples import Samples
from training.data.shards import PreparedDataset
from training.data.sources import SOURCES, fetch
from training.device import training_device
from training.evaluate import MIN_POSITIVES, evaluation_bins, feature_metrics, predict_windows
from training.logistic import StandardisedLogistic
from training.motif_check import motif_snvs, run_motif_check

logger = logging.getLogger(__name__)


def build_report(
    data_dir: Path,
    checkpoints: dict[str, Path],
    max_bins: int,
    baseline_bins: int,
    per_motif: int,
    seed: int,
) -> dict[str, Any]:
    """Metrics of each named checkpoint and of the baseline on the same test bins; the motif
    check on the first checkpoint."""
    data = PreparedDataset.open(data_dir)
    rng = np.random.default_rng(seed)
    test, train = Samples.of(data, "test"), Samples.of(data, "train")
    test_indices, counted = evaluation_bins(test.labels, max_bins)
    test_labels = test.labels[test_indices]
    report: dict[str, Any] = {
        "test_bins": len(test),
        "evenly_spaced_bins": int(counted.all(axis=1).sum()),
        "models": {},
    }
    first = None
    for name, path in checkpoints.items():
        checkpoint = load_checkpoint(path)
        data.check_window(checkpoint.window)
        checkpoint.model.to(training_device())
        first = first or checkpoint
        predictions = predict_windows(checkpoint.model, test, test_indices)
        report["models"][name] = feature_metrics(predictions, test_labels, data.features, counted)
        logger.info("%s: %s", name, report["models"][name]["groups"])
    assert first is not None, "give at least one checkpoint"
    train_indices = rng.choice(len(train), size=min(baseline_bins, len(train)), replace=False)
    baseline = StandardisedLogistic().fit(
        kmer_count_features(train, train_indices),
        train.labels[train_indices],
    )
    baseline_predictions = baseline.predict(kmer_count_features(test, test_indices))
    report["models"]["kmer_baseline"] = feature_metrics(
        baseline_predictions, test_labels, data.features, counted
    )
    report["motif_check"] = _motif_check(data_dir, first, rng, per_motif)
    return report


def _motif_check(
    data_dir: Path, checkpoint: Any, rng: np.random.Generator, per_motif: int
) -> dict[str, Any]:
    data = PreparedDataset.open(data_dir)
    reference = ReferenceGenome(data.reference)
    span = reference.spans[data.contig]
    sequence = reference.fetch(data.contig, span.start, span.end)
    names = [feature.name for feature in data.features]
    motifs = [
        (names.index(motif_feature_name(m.name)), m)
        for m in load_motifs(fetch(SOURCES["jaspar_2024"]))
        if motif_feature_name(m.name) in names
    ]
    test_bins = Samples.of(data, "test").bin_starts
    background = background_of(base_codes(sequence))
    snvs = motif_snvs(sequence, test_bins, motifs, background, per_motif, rng)
    return run_motif_check(checkpoint.model, reference, data.contig, snvs, checkpoint.window, names)


def report_markdown(report: dict[str, Any]) -> str:
    models = report["models"]
    groups = list(next(iter(models.values()))["groups"])
    lines = [
        "# Held-out evaluation",
        "",
        f"Test split ({report['test_bins']} bins): {report['evenly_spaced_bins']} evenly spaced "
        "bins, plus every other positive bin of the features with fewer than "
        f"{MIN_POSITIVES} positives among them (scored against the same negatives). Predictions "
        "are averaged over the five reading frames and both strands, as served.",
        "",
        "## Median per feature group (AUROC / AUPRC)",
        "",
        *group_median_table(models, groups),
    ]
    check = report["motif_check"]
    lines += [
        "",
        "## Motif-breaking SNVs against random SNVs (|logfold| of the motif's feature)",
        "",
        f"{check['breaking']} breaking and {check['snvs'] - check['breaking']} random SNVs: pooled "
        f"AUROC {check['pooled_auroc']}, median per motif {check['median_motif_auroc']}.",
        "",
        "## Per feature (AUROC / AUPRC / positive bins)",
        "",
        *per_feature_table(models),
    ]
    return "\n".join(lines) + "\n"


def group_median_table(models: dict[str, Any], groups: list[str]) -> list[str]:
    """Markdown rows: per model its median AUROC / AUPRC in each feature group."""
    lines = ["| model | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for name, metrics in models.items():
        cells = [
            f"{metrics['groups'][g]['median_auroc']} / {metrics['groups'][g]['median_auprc']}"
            for g in groups
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def per_feature_table(models: dict[str, Any]) -> list[str]:
    """Markdown rows: per feature (with its positive bins) each model's AUROC / AUPRC."""
    lines = [
        "| feature | group | " + " | ".join(models) + " |",
        "|---|---|" + "---|" * len(models),
    ]
    first = next(iter(models.values()))["features"]
    for feature, values in first.items():
        cells = [
            f"{m['features'][feature]['auroc']} / {m['features'][feature]['auprc']}"
            for m in models.values()
        ]
        lines.append(
            f"| {feature} ({values['positives']}) | {values['group']} | " + " | ".join(cells) + " |"
        )
    return lines
