"""``python -m model_export.calibration --model-dir DIR --fasta GENOME``: the backgrounds that
put a model directory's scores in context (``core.calibration``).

Draws ``--per-class`` SNVs and as many indels (deletions and insertions of 1-10 bp, half each)
at uniformly random positions of ``GENOME`` (weighted by contig length; windows holding N
skipped), prepares each as the service does (``core.classify.prepare``: normalised, windowed)
and scores them through the directory's fp32 ONNX model and prioritiser. Writes
``priority_background.json`` (priorities per class: the rank of a served priority) and
``indel_background.json`` (the indels' ``|diff x logfold|`` quantiles: E-values of indels), adds
both to the manifest and rewrites the model card. With ``--observed VCF`` (real variants, e.g.
the committed 1000 Genomes slice), it also reports the median priority percentile of its SNVs
next to that of simulated SNVs of matched type (``training.background.simulated_snvs``), in the
card: how far the priority tells observed variants from random ones.
"""

import argparse
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.calibration import (
    INDEL_BACKGROUND_FILE,
    PRIORITY_BACKGROUND_FILE,
    PriorityBackground,
    priority_background,
)
from core.classify import ScorableVariant, prepare
from core.evalues import background_from_scores
from core.manifest import AuxiliaryFile, file_sha256, load_manifest, write_manifest
from core.prioritiser import Prioritiser, load_prioritiser
from core.reference import ReferenceGenome
from core.variants import Origin, Variant
from core.vcf import read_vcf
from core.windows import WindowSpec
from model_export.model_card import write_model_card
from model_export.precision import session_effects
from training.background import simulated_snvs

_BASES = "ACGT"
_CHUNK = 256


def _random_variant(
    reference: ReferenceGenome,
    spec: WindowSpec,
    rng: np.random.Generator,
    kind: str,
    weights: NDArray[np.float64],
) -> ScorableVariant | None:
    spans = list(reference.spans.values())
    span = spans[int(rng.choice(len(spans), p=weights))]
    pos = int(rng.integers(span.start + spec.length, span.end - spec.length)) + 1
    base = reference.fetch(span.name, pos - 1, pos)
    if base not in _BASES:
        return None
    size = int(rng.integers(1, 11))
    if kind == "snv":
        ref, alt = base, str(rng.choice([b for b in _BASES if b != base]))
    elif rng.random() < 0.5:  # deletion of `size` bases after the anchor
        ref, alt = reference.fetch(span.name, pos - 1, pos + size), base
    else:
        ref, alt = base, base + "".join(rng.choice(list(_BASES), size))
    prepared = prepare(Variant(span.name, pos, ref, alt, Origin(record=0)), reference, spec)
    if not isinstance(prepared, ScorableVariant) or "N" in prepared.windows.ref:
        return None
    return prepared


def random_variants(
    reference: ReferenceGenome, spec: WindowSpec, count: int, kind: str, seed: int
) -> list[ScorableVariant]:
    rng = np.random.default_rng(seed)
    lengths = np.array([s.end - s.start for s in reference.spans.values()], dtype=np.float64)
    drawn: list[ScorableVariant] = []
    while len(drawn) < count:
        variant = _random_variant(reference, spec, rng, kind, lengths / lengths.sum())
        if variant is not None:
            drawn.append(variant)
    return drawn


def _scores(
    session: onnxruntime.InferenceSession,
    variants: list[ScorableVariant],
    spec: WindowSpec,
    prioritiser: Prioritiser,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Priorities ``(V,)`` and ``|diff x logfold|`` ``(V, N)``, a chunk of variants at a time."""
    priorities, products = [], []
    for start in range(0, len(variants), _CHUNK):
        chunk = [item.windows for item in variants[start : start + _CHUNK]]
        effects = session_effects(session, chunk, spec)
        priorities.append(prioritiser.priority(effects.logfold, effects.diff))
        products.append(np.abs(effects.diff * effects.logfold))
    return np.concatenate(priorities), np.concatenate(products)


def _observed_figures(
    observed: Path,
    reference: ReferenceGenome,
    spec: WindowSpec,
    score: Callable[[list[ScorableVariant]], tuple[NDArray[np.float64], NDArray[np.float64]]],
    background: PriorityBackground,
    seed: int,
) -> dict[str, Any]:
    """Median priority percentile of the observed SNVs and of simulated SNVs of matched type."""
    variants = [
        prepared
        for parsed in read_vcf(observed)
        if isinstance(parsed, Variant) and len(parsed.ref) == 1 == len(parsed.alt)
        if isinstance(prepared := prepare(parsed, reference, spec), ScorableVariant)
    ]
    contig = variants[0].windows.contig
    snvs = [(v.normalized.pos, v.normalized.ref, v.normalized.alt) for v in variants]
    simulated = [
        prepare(Variant(contig, pos, ref, alt, Origin(record=0)), reference, spec)
        for pos, ref, alt in simulated_snvs(
            snvs, reference, contig, spec, 1, np.random.default_rng(seed)
        )
    ]
    figures: dict[str, Any] = {"observed_file": observed.name}
    for name, group in (("observed", variants), ("simulated", simulated)):
        priorities, _ = score([v for v in group if isinstance(v, ScorableVariant)])
        ranks = [background.rank(float(p), "snv") for p in priorities]
        figures[f"{name}_snvs"] = len(priorities)
        figures[f"{name}_median_percentile"] = round(
            float(np.median([rank.percentile for rank in ranks if rank is not None])), 1
        )
    return figures


def calibrate(
    model_dir: Path, fasta: Path, per_class: int, observed: Path | None, seed: int = 0
) -> dict[str, Any]:
    """Write the backgrounds into ``model_dir`` and its manifest; the card's figures."""
    manifest = load_manifest(model_dir)
    if manifest.prioritiser is None:
        raise SystemExit(f"{model_dir} has no prioritiser: `logoscore-train background` first")
    spec = manifest.window
    reference = ReferenceGenome(fasta)
    session = onnxruntime.InferenceSession(
        str(model_dir / manifest.onnx.file), providers=["CPUExecutionProvider"]
    )
    prioritiser = load_prioritiser(model_dir / manifest.prioritiser.file)

    def score(variants: list[ScorableVariant]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return _scores(session, variants, spec, prioritiser)

    priorities, products = {}, {}
    for offset, kind in enumerate(("snv", "indel")):
        drawn = random_variants(reference, spec, per_class, kind, seed + offset)
        priorities[kind], products[kind] = score(drawn)
    genome = f"{fasta.name} ({', '.join(reference.spans)})"
    description = (
        f"{per_class} SNVs and {per_class} indels (1-10 bp, half deletions) at uniformly random "
        f"positions of {genome}, scored by this model"
    )
    background = priority_background(priorities, description, {})
    summary: dict[str, Any] = {"description": description}
    if observed is not None:
        summary |= _observed_figures(observed, reference, spec, score, background, seed)
    background = dataclasses.replace(background, summary=summary)
    indels = background_from_scores(products["indel"], f"{per_class} random indels of {genome}")
    for name, content in (
        (PRIORITY_BACKGROUND_FILE, background.to_json()),
        (INDEL_BACKGROUND_FILE, indels.to_json()),
    ):
        (model_dir / name).write_text(_json(content))
    manifest = dataclasses.replace(
        manifest,
        priority_background=_auxiliary(model_dir, PRIORITY_BACKGROUND_FILE),
        indel_background=_auxiliary(model_dir, INDEL_BACKGROUND_FILE),
        card={**manifest.card, "priority_background": summary},
    )
    write_manifest(manifest, model_dir)
    write_model_card(manifest, model_dir)
    return summary


def _auxiliary(model_dir: Path, name: str) -> AuxiliaryFile:
    return AuxiliaryFile(file=name, sha256=file_sha256(model_dir / name))


def _json(content: dict[str, Any]) -> str:
    return json.dumps(content) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model_export.calibration", description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--fasta", type=Path, required=True, help="the model's genome")
    parser.add_argument("--per-class", type=int, default=2000, help="random SNVs, and indels")
    parser.add_argument("--observed", type=Path, help="real variants (VCF) for the card's figures")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    summary = calibrate(args.model_dir, args.fasta, args.per_class, args.observed, args.seed)
    print(summary)


if __name__ == "__main__":
    main()
