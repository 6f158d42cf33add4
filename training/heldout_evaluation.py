"""``python -m training.heldout_evaluation``: the exported model, as served, on EVERY bin of the
held-out test split, against the k-mer baseline on the same bins, with a block bootstrap.

``logoscore-train report`` scores 5,000 evenly spaced test bins (a quarter of them) through the
torch checkpoints; this step scores all of them through the model directory's fp32 ONNX file with
onnxruntime (what the service runs), so the comparison has four times the positives and no
sampling of bins. The baseline is fitted as in the report (``training.baseline``; same training
bins, same seed).

Uncertainty: neighbouring bins share most of their window and their annotations, so bins are
resampled in contiguous blocks of ``BLOCK_BINS`` (moving-block bootstrap, paired: both models on
the same resampled bins). For each feature group the difference of median AUROC (LOGO minus
baseline) is reported with its 2.5% and 97.5% quantiles.

Writes ``test_split.json`` and ``TEST_SPLIT.md`` into the model directory (the manifest is left
as it is; ``python -m model_export.model_card`` then rewrites the card to cite them);
predictions are kept in ``--cache`` (an ``.npz``, with the ONNX file's sha256) so a rerun on the
same file skips the model.
"""

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.effects import sequence_probabilities
from core.manifest import Feature, load_manifest
from training.baseline import kmer_count_features
from training.batches import serving_tokens
from training.data.samples import Samples
from training.data.shards import PreparedDataset
from training.evaluate import auroc, feature_metrics
from training.logistic import StandardisedLogistic
from training.report import group_median_table, per_feature_table

logger = logging.getLogger(__name__)

BLOCK_BINS = 50
"""Bootstrap block: 50 bins of 200 bp = 10 kb, ten window lengths."""
REPLICATES = 1000
WINDOWS_PER_CALL = 16
TEST_SPLIT_FILE = "test_split.json"
"""The figures, in the model directory; the model card cites them while their ONNX sha256 is the
manifest's (``model_export.model_card``)."""
MARKDOWN_FILE = "TEST_SPLIT.md"


def onnx_predictions(onnx_path: Path, samples: Samples) -> NDArray[np.float64]:
    """Probabilities ``(n, N)`` of every bin of ``samples``, averaged over frames and strands."""
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    indices = np.arange(len(samples), dtype=np.int64)
    outputs = []
    for offset in range(0, len(indices), WINDOWS_PER_CALL):
        chunk = indices[offset : offset + WINDOWS_PER_CALL]
        (probabilities,) = session.run(None, {input_name: serving_tokens(samples, chunk)})
        outputs.append(sequence_probabilities(np.asarray(probabilities), samples.spec.k))  # B N
        if offset % (WINDOWS_PER_CALL * 200) == 0:
            logger.info("scored %d of %d test bins", offset + len(chunk), len(indices))
    return np.concatenate(outputs).astype(np.float64)


def group_median_aurocs(
    predictions: NDArray[np.float64],
    labels: NDArray[np.uint8],
    features: list[Feature],
    rows: NDArray[np.int64],
) -> dict[str, float]:
    """Median AUROC per feature group on ``rows`` (features with one class there left out)."""
    values: dict[str, list[float]] = {}
    for i, feature in enumerate(features):
        values.setdefault(feature.group, []).append(auroc(predictions[rows, i], labels[rows, i]))
    return {group: float(np.nanmedian(aurocs)) for group, aurocs in values.items()}


def block_bootstrap_rows(n: int, block: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """``n`` row indices made of contiguous blocks of ``block`` rows with random starts."""
    starts = rng.integers(0, max(1, n - block + 1), size=-(-n // block))
    return (starts[:, None] + np.arange(block)[None, :]).ravel()[:n].astype(np.int64)


def median_difference_interval(
    model: NDArray[np.float64],
    baseline: NDArray[np.float64],
    labels: NDArray[np.uint8],
    features: list[Feature],
    replicates: int,
    rng: np.random.Generator,
) -> dict[str, dict[str, float]]:
    """Per group: the difference of median AUROC (model - baseline) on all rows, and its 95%
    moving-block bootstrap interval with the share of replicates in which the model is ahead."""
    every = np.arange(len(labels), dtype=np.int64)
    point_model = group_median_aurocs(model, labels, features, every)
    point_baseline = group_median_aurocs(baseline, labels, features, every)
    draws: dict[str, list[float]] = {group: [] for group in point_model}
    for _ in range(replicates):
        rows = block_bootstrap_rows(len(labels), BLOCK_BINS, rng)
        ours = group_median_aurocs(model, labels, features, rows)
        theirs = group_median_aurocs(baseline, labels, features, rows)
        for group in draws:
            draws[group].append(ours[group] - theirs[group])
    return {
        group: {
            "difference": round(point_model[group] - point_baseline[group], 4),
            "low": round(float(np.quantile(values, 0.025)), 4),
            "high": round(float(np.quantile(values, 0.975)), 4),
            "share_ahead": round(float(np.mean(np.array(values) > 0)), 3),
        }
        for group, values in draws.items()
    }


def evaluate_test_split(
    model_dir: Path,
    data_dir: Path,
    baseline_bins: int,
    seed: int,
    replicates: int,
    cache: Path | None,
) -> dict[str, Any]:
    manifest = load_manifest(model_dir)
    data = PreparedDataset.open(data_dir)
    data.check_window(manifest.window)
    test, train = Samples.of(data, "test"), Samples.of(data, "train")
    cached = np.load(cache) if cache is not None and cache.is_file() else None
    if cached is not None and str(cached.get("onnx_sha256")) == manifest.onnx.sha256:
        predictions = cached["predictions"]
    else:
        predictions = onnx_predictions(model_dir / manifest.onnx.file, test)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(
                cache, predictions=predictions, onnx_sha256=np.array(manifest.onnx.sha256)
            )
    # as in training.report.build_report: the same seed draws the same baseline training bins
    rng = np.random.default_rng(seed)
    train_rows = rng.choice(len(train), size=min(baseline_bins, len(train)), replace=False)
    baseline = StandardisedLogistic().fit(
        kmer_count_features(train, train_rows), train.labels[train_rows]
    )
    every = np.arange(len(test), dtype=np.int64)
    baseline_predictions = baseline.predict(kmer_count_features(test, every))
    features = data.features
    return {
        "model": manifest.name,
        "version": manifest.version,
        "onnx_sha256": manifest.onnx.sha256,
        "test_bins": len(test),
        "block_bins": BLOCK_BINS,
        "replicates": replicates,
        "models": {
            "logo_shipped_onnx": feature_metrics(predictions, test.labels, features),
            "kmer_baseline": feature_metrics(baseline_predictions, test.labels, features),
        },
        "median_auroc_difference": median_difference_interval(
            predictions,
            baseline_predictions,
            test.labels,
            features,
            replicates,
            np.random.default_rng(seed),
        ),
    }


def test_split_markdown(result: dict[str, Any]) -> str:
    models = result["models"]
    groups = list(result["median_auroc_difference"])
    lines = [
        "# The shipped model on every bin of the test split",
        "",
        f"All {result['test_bins']} test bins, scored through `model.onnx` (sha256 "
        f"`{result['onnx_sha256'][:12]}...`) with onnxruntime as served; the k-mer baseline on "
        f"the same bins. Interval: {result['replicates']} moving-block bootstrap replicates "
        f"(blocks of {result['block_bins']} bins), paired.",
        "",
        "## Median per feature group (AUROC / AUPRC)",
        "",
        *group_median_table(models, groups),
    ]
    differences = result["median_auroc_difference"]
    lines.append(
        "| LOGO - baseline, median AUROC [95% interval] (share of replicates ahead) | "
        + " | ".join(
            f"{d['difference']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] ({d['share_ahead']})"
            for d in differences.values()
        )
        + " |"
    )
    lines += ["", "## Per feature (AUROC / AUPRC / positive bins)", "", *per_feature_table(models)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m training.heldout_evaluation", description=__doc__
    )
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="directory written by prepare")
    parser.add_argument("--baseline-bins", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replicates", type=int, default=REPLICATES)
    parser.add_argument("--cache", type=Path, help=".npz to keep the model's predictions in")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    result = evaluate_test_split(
        args.model_dir, args.data, args.baseline_bins, args.seed, args.replicates, args.cache
    )
    (args.model_dir / TEST_SPLIT_FILE).write_text(json.dumps(result, indent=1) + "\n")
    (args.model_dir / MARKDOWN_FILE).write_text(test_split_markdown(result))
    for group, difference in result["median_auroc_difference"].items():
        logger.info("%s: LOGO - baseline median AUROC %s", group, difference)


if __name__ == "__main__":
    main()
