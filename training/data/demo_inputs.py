"""``logoscore-train demo-inputs``: the demo model's inputs, written as any lab writes its own.

The demo model is one instance of the general path (``training.data.prepare``): this command
writes, from registry packages (``training.data.sources``), what a lab would bring:

- ``GRCh37_chr20.fa``: GRCh37 chromosome 20 (Debian ``vt-examples``), record ``20:1-63025520``;
- the hg19 annotation BEDs of ``training.data.features.INTERVAL_FEATURES`` (Debian
  ``chromhmm-example``), used where the registry cache holds them;
- ``peaks/{source}.bed``: janggu's Oct4 and Mafk ChIP-seq peaks, from the FASTA headers that
  name them (``training.data.peaks``), as BED;
- ``motifs/{name}.bed``: the strong JASPAR 2024 hits of each motif on chr20
  (``training.data.motifs``: thresholds from chr20's own composition), one interval per hit;
- ``features.tsv``: every feature with its group, file and description, in the model's order
  (annotation and ChIP-seq first, then the motifs).

``prepare --token-group tf_motif`` then labels bins exactly as the demo model's data were
labelled and keeps the motif hits for fine-tuning's token-level loss.
"""

import json
import logging
from pathlib import Path
from typing import Any

from training.data.feature_table import FeatureSource, write_feature_table
from training.data.features import INTERVAL_FEATURES, MOTIF_GROUP, motif_feature_name
from training.data.motifs import (
    background_of,
    base_codes,
    hit_starts,
    load_motifs,
    log_odds,
    threshold_for,
)
from training.data.peaks import peak_records
from training.data.reference_slice import read_fasta_record, write_slice
from training.data.sources import SOURCES, fetch

logger = logging.getLogger(__name__)

DEMO_CONTIG = "20"
FASTA_FILE = "GRCh37_chr20.fa"
FEATURES_FILE = "features.tsv"


def write_demo_inputs(out: Path) -> dict[str, Any]:
    """Write the demo's genome, peak files and features table to ``out`` (module docstring)."""
    sequence = read_fasta_record(fetch(SOURCES["grch37_chr20"]), DEMO_CONTIG)
    write_slice(sequence, DEMO_CONTIG, 1, len(sequence), out / FASTA_FILE)
    sources = []
    for feature in INTERVAL_FEATURES:
        path = fetch(SOURCES[feature.source])
        if feature.kind == "peaks":
            path = out / "peaks" / f"{feature.source}.bed"
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = [f"{c}\t{s}\t{e}\n" for c, s, e in peak_records(fetch(SOURCES[feature.source]))]
            path.write_text("".join(lines))
        sources.append(FeatureSource(feature.name, feature.group, path, feature.description))
    codes = base_codes(sequence)
    background = background_of(codes)
    thresholds = {}
    for motif in load_motifs(fetch(SOURCES["jaspar_2024"])):
        weights = log_odds(motif, background)
        threshold = threshold_for(weights, background)
        if threshold is None:
            logger.info("%s %s: too short to be specific; left out", motif.matrix_id, motif.name)
            continue
        starts = hit_starts(codes, weights, threshold.score)
        name = motif_feature_name(motif.name)
        path = out / "motifs" / f"{name}.bed"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{DEMO_CONTIG}\t{s}\t{s + motif.width}\n" for s in starts))
        description = (
            f"JASPAR {motif.matrix_id} {motif.name} hit, score >= {threshold.score:.2f} bits "
            f"(p = {threshold.p_value:.1e} per position and strand)"
        )
        sources.append(FeatureSource(name, MOTIF_GROUP, path, description))
        thresholds[motif.matrix_id] = {"score": threshold.score, "p_value": threshold.p_value}
        logger.info("%s %s: %d hits", motif.matrix_id, motif.name, len(starts))
    write_feature_table(out / FEATURES_FILE, sources)
    summary = {
        "fasta": str(out / FASTA_FILE),
        "features": str(out / FEATURES_FILE),
        "motif_thresholds_bits": thresholds,
        "sources": {name: str(fetch(source)) for name, source in SOURCES.items()},
    }
    (out / "demo_inputs.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary
