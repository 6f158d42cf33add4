"""Variant-level check: do SNVs that break a strong motif hit move that motif's feature more
than random SNVs do?

On the test split, for each motif feature: up to ``per_motif`` strong hits inside test bins are
broken by the single substitution that lowers the hit's best strand score the most. The SNV
counts as breaking only when it flips the bin's label as ``prepare`` labels it: after it, no
strong hit of that motif is left in the bin (neither this one nor another; a strong hit or a
bin with two hits can survive one substitution). As many random SNVs are drawn at random
positions of the same bins that touch no hit. Each SNV is scored like a served variant; the
ranking score is the motif feature's |logfold|. AUROC of breaking (1) against random (0),
pooled and per motif.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.data.intervals import BIN_SIZE
from training.data.motifs import Motif, base_codes, hit_starts, log_odds, threshold_for
from training.evaluate import auroc
from training.model import LogoModel
from training.variant_scoring import score_variants

BASES = "ACGT"


@dataclass(frozen=True)
class MotifSnv:
    pos: int
    ref: str
    alt: str
    feature: int
    breaking: bool


def breaking_snv(window: str, weights: NDArray[np.float64]) -> tuple[int, str] | None:
    """(offset, alt) of the substitution in ``window`` (one hit, forward coordinates) that
    minimises its best strand score, or ``None`` if the window holds an N."""
    codes = base_codes(window)
    if (codes > 3).any():
        return None
    reverse = weights[::-1, ::-1]

    def best(c: NDArray[np.int8]) -> float:
        idx = np.arange(len(c))
        return float(max(weights[idx, c].sum(), reverse[idx, c].sum()))

    candidates = []
    for offset in range(len(codes)):
        for base in range(4):
            if base != codes[offset]:
                mutated = codes.copy()
                mutated[offset] = base
                candidates.append((best(mutated), offset, BASES[base]))
    _, weakest_offset, alt = min(candidates)
    return weakest_offset, alt


def motif_snvs(
    sequence: str,
    bin_starts: NDArray[np.int64],
    motifs: list[tuple[int, Motif]],
    background: NDArray[np.float64],
    per_motif: int,
    rng: np.random.Generator,
) -> list[MotifSnv]:
    """Breaking and random SNVs in the bins ``bin_starts`` of ``sequence`` (true coordinates)."""
    codes = base_codes(sequence)
    bins = np.sort(bin_starts)
    snvs: list[MotifSnv] = []
    for feature, motif in motifs:
        weights = log_odds(motif, background)
        threshold = threshold_for(weights, background)
        if threshold is None:
            continue
        hits = hit_starts(codes, weights, threshold.score)
        index = np.searchsorted(bins, hits, side="right") - 1
        inside = (index >= 0) & (hits + motif.width <= bins[np.clip(index, 0, None)] + BIN_SIZE)
        hits, hit_bins = hits[inside], bins[index[inside]]
        broken = 0
        for chosen in rng.permutation(len(hits)):
            if broken == per_motif:
                break
            hit, bin_start = int(hits[chosen]), int(hit_bins[chosen])
            change = breaking_snv(sequence[hit : hit + motif.width], weights)
            if change is None:
                continue
            pos0 = hit + change[0]
            if _bin_keeps_a_hit(codes, bin_start, pos0, change[1], weights, threshold.score):
                continue
            snvs.append(MotifSnv(pos0 + 1, sequence[pos0], change[1], feature, True))
            snvs.append(_random_snv(sequence, bin_start, hits, motif.width, feature, rng))
            broken += 1
    return snvs


def _bin_keeps_a_hit(
    codes: NDArray[np.int8],
    bin_start: int,
    pos0: int,
    alt: str,
    weights: NDArray[np.float64],
    threshold: float,
) -> bool:
    """Whether the bin still holds a whole strong hit after ``pos0`` becomes ``alt``."""
    mutated = codes[bin_start : bin_start + BIN_SIZE].copy()
    mutated[pos0 - bin_start] = BASES.index(alt)
    return len(hit_starts(mutated, weights, threshold)) > 0


def _random_snv(
    sequence: str,
    bin_start: int,
    hits: NDArray[np.int64],
    width: int,
    feature: int,
    rng: np.random.Generator,
) -> MotifSnv:
    while True:
        pos0 = bin_start + int(rng.integers(0, BIN_SIZE))
        near_hit = np.any((hits <= pos0) & (pos0 < hits + width))
        if sequence[pos0] in BASES and not near_hit:
            alt = rng.choice([b for b in BASES if b != sequence[pos0]])
            return MotifSnv(pos0 + 1, sequence[pos0], str(alt), feature, False)


def run_motif_check(
    model: LogoModel,
    reference: ReferenceGenome,
    contig: str,
    snvs: list[MotifSnv],
    spec: WindowSpec,
    feature_names: list[str],
) -> dict[str, Any]:
    effects = score_variants(model, reference, contig, [(s.pos, s.ref, s.alt) for s in snvs], spec)
    features = np.array([s.feature for s in snvs])
    magnitude = np.abs(effects.logfold[np.arange(len(snvs)), features])
    labels = np.array([s.breaking for s in snvs], dtype=np.int64)
    per_motif = {
        feature_names[f]: round(auroc(magnitude[features == f], labels[features == f]), 4)
        for f in sorted(set(features.tolist()))
    }
    return {
        "snvs": len(snvs),
        "breaking": int(labels.sum()),
        "pooled_auroc": round(auroc(magnitude, labels), 4),
        "median_motif_auroc": round(float(np.nanmedian(list(per_motif.values()))), 4),
        "per_motif_auroc": per_motif,
    }
