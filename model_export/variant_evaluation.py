"""``logoscore-train evaluate-variants``: how well a model directory separates labelled variants.

Every record of a VCF is labelled from an INFO field (``--label-info KEY``: ``1``/``0``,
``true``/``false``, ``yes``/``no``, ``pathogenic``/``benign``, ``positive``/``negative``) or from
its ID's prefix (``--positive-prefix GWAS --negative-prefix 1000G``, as LOGO's evaluation sets
name their variants); a record matching neither is counted as unlabelled and left out. Each
variant is scored as the service scores it (``core.classify.prepare``, the rows of
``core.effects`` through the directory's fp32 ONNX model, its prioritiser), and a variant the
service would not score (``out_of_bounds``, ``ref_mismatch``, ...) is counted by status and left
out of the metrics. The scores compared: the prioritiser's ``priority`` (when the model has one)
and, per feature group, the variant's largest ``|diff|`` ("max abs diff", the group summary of a
result). For each: AUROC and AUPRC with percentile intervals over bootstrap resamples of the
variants, as a Markdown table.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.classify import ScorableVariant, prepare
from core.manifest import ModelManifest, load_manifest
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from core.vcf import VcfRecord, open_vcf
from core.windows import AlleleWindows
from model_export.precision import session_effects
from training.evaluate import auprc, auroc

POSITIVE_VALUES = frozenset({"1", "true", "yes", "pathogenic", "positive"})
NEGATIVE_VALUES = frozenset({"0", "false", "no", "benign", "negative"})
CHUNK_VARIANTS = 256
"""Variants per model call: memory stays flat however long the file."""


@dataclass(frozen=True)
class LabelRule:
    """Where a record's label comes from: an INFO key, or the prefixes of its ID."""

    info_key: str | None = None
    positive_prefix: str | None = None
    negative_prefix: str | None = None

    def __post_init__(self) -> None:
        by_prefix = self.positive_prefix is not None and self.negative_prefix is not None
        if (self.info_key is None) == (not by_prefix):
            raise ValueError(
                "give either --label-info KEY or both --positive-prefix and --negative-prefix"
            )

    def describe(self) -> str:
        if self.info_key is not None:
            return f"INFO field {self.info_key}"
        return f"ID prefix {self.positive_prefix} (positive) or {self.negative_prefix} (negative)"

    def label(self, record: VcfRecord) -> int | None:
        columns = record.text.split("\t")
        if self.info_key is None:
            record_id = columns[2] if len(columns) > 2 else ""
            if self.positive_prefix and record_id.startswith(self.positive_prefix):
                return 1
            if self.negative_prefix and record_id.startswith(self.negative_prefix):
                return 0
            return None
        for entry in (columns[7] if len(columns) > 7 else "").split(";"):
            key, _, value = entry.partition("=")
            if key == self.info_key:
                value = value.strip().lower()
                return 1 if value in POSITIVE_VALUES else 0 if value in NEGATIVE_VALUES else None
        return None


@dataclass
class LabelledScores:
    """Per scored variant: its label and each compared score; counts of what was left out."""

    names: list[str]
    labels: list[int] = field(default_factory=list)
    scores: list[NDArray[np.float64]] = field(default_factory=list)
    not_scored: Counter[str] = field(default_factory=Counter)
    unlabelled: int = 0


def _compared(manifest: ModelManifest) -> list[str]:
    groups = dict.fromkeys(feature.group for feature in manifest.features)
    return (["priority"] if manifest.prioritiser else []) + [
        f"group {group}: max abs diff" for group in groups
    ]


def _labelled_variants(
    path: Path,
    rule: LabelRule,
    reference: ReferenceGenome,
    manifest: ModelManifest,
    into: LabelledScores,
) -> Iterator[tuple[int, AlleleWindows]]:
    with open_vcf(path) as reader:
        for record in reader.records():
            label = rule.label(record)
            if label is None:
                into.unlabelled += len(record.inputs)
                continue
            for parsed in record.inputs:
                prepared = prepare(parsed, reference, manifest.window)
                if isinstance(prepared, ScorableVariant):
                    yield label, prepared.windows
                else:
                    into.not_scored[prepared.status.value] += 1


def score_labelled(
    model_dir: Path, fasta: Path, variants: Path, rule: LabelRule
) -> tuple[ModelManifest, LabelledScores]:
    manifest = load_manifest(model_dir)
    reference = ReferenceGenome(fasta)
    session = onnxruntime.InferenceSession(
        str(model_dir / manifest.onnx.file), providers=["CPUExecutionProvider"]
    )
    prioritiser = (
        load_prioritiser(model_dir / manifest.prioritiser.file) if manifest.prioritiser else None
    )
    groups = [feature.group for feature in manifest.features]
    members = [
        np.array([i for i, g in enumerate(groups) if g == group]) for group in dict.fromkeys(groups)
    ]
    result = LabelledScores(_compared(manifest))

    def flush(chunk: list[tuple[int, AlleleWindows]]) -> None:
        effects: VariantEffects = session_effects(session, [w for _, w in chunk], manifest.window)
        columns = [prioritiser.priority(effects.logfold, effects.diff)] if prioritiser else []
        columns += [np.abs(effects.diff[:, index]).max(axis=1) for index in members]
        result.scores.extend(np.stack(columns, axis=1))
        result.labels.extend(label for label, _ in chunk)

    chunk: list[tuple[int, AlleleWindows]] = []
    for item in _labelled_variants(variants, rule, reference, manifest, result):
        chunk.append(item)
        if len(chunk) == CHUNK_VARIANTS:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)
    return manifest, result


def _interval(
    scores: NDArray[np.float64], labels: NDArray[np.int64], resamples: int, seed: int
) -> list[tuple[float, float, float]]:
    """(AUROC, low, high) then (AUPRC, low, high): the estimate and its 95% percentile interval."""
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, len(labels), len(labels)) for _ in range(resamples)]
    rows = []
    for metric in (auroc, auprc):
        values = np.array([metric(scores[d], labels[d]) for d in draws]) if draws else np.array([])
        values = values[~np.isnan(values)]
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        rows.append((metric(scores, labels), float(low), float(high)))
    return rows


def _cell(estimate: float, low: float, high: float) -> str:
    if np.isnan(estimate):
        return "n/a (one class)"
    return f"{estimate:.3f} [{low:.3f}, {high:.3f}]"


def evaluation_markdown(
    manifest: ModelManifest,
    scored: LabelledScores,
    variants: Path,
    fasta: Path,
    rule: LabelRule,
    resamples: int,
    seed: int,
) -> str:
    labels = np.array(scored.labels, dtype=np.int64)
    scores = np.array(scored.scores, dtype=np.float64).reshape(len(labels), len(scored.names))
    positives = int(labels.sum())
    left_out = ", ".join(f"{status} {n}" for status, n in sorted(scored.not_scored.items()))
    lines = [
        f"# {manifest.name} {manifest.version} on {variants.name}",
        "",
        f"Labels from the {rule.describe()}: {positives} positive and {len(labels) - positives} "
        f"negative variants scored against {fasta.name}; not scored (left out): "
        f"{left_out or 'none'}; unlabelled: {scored.unlabelled}.",
        "",
        "| score | AUROC [95% interval] | AUPRC [95% interval] |",
        "|---|---|---|",
    ]
    for column, name in enumerate(scored.names):
        roc, prc = _interval(scores[:, column], labels, resamples, seed)
        lines.append(f"| {name} | {_cell(*roc)} | {_cell(*prc)} |")
    share = positives / len(labels) if len(labels) else float("nan")
    lines += [
        "",
        f"Intervals: {resamples} bootstrap resamples of the scored variants (seed {seed}). A "
        f"random score has AUROC 0.5 and AUPRC {share:.3f} (the share of positives). Model "
        f"sha256 {manifest.onnx.sha256}.",
    ]
    if manifest.prioritiser is None:
        lines.append(f"No priority row: {manifest.missing_scores['priority']}.")
    return "\n".join(lines) + "\n"
