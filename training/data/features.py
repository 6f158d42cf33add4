"""The demo model's chromatin features, each with its group and its source.

Groups: ``annotation`` (hg19 genome annotations from Debian ``chromhmm-example``), ``chip_seq``
(real ChIP-seq peaks from PyPI ``janggu``), ``tf_motif`` (strong JASPAR 2024 motif hits,
``training.data.motifs``); ``training.data.demo_inputs`` writes them all as BED files, which
``prepare`` labels by ``training.data.intervals``' rule.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class IntervalFeature:
    """A feature labelled from intervals in one source (BED, or peaks named by coordinates)."""

    name: str
    group: str
    description: str
    source: str
    kind: str  # "bed" or "peaks"


INTERVAL_FEATURES = (
    IntervalFeature("CpG_island", "annotation", "UCSC CpG island", "cpg_islands", "bed"),
    IntervalFeature("RefSeq_TSS", "annotation", "RefSeq transcription start", "refseq_tss", "bed"),
    IntervalFeature(
        "RefSeq_TSS_2kb", "annotation", "within 2 kb of a RefSeq TSS", "refseq_tss_2kb", "bed"
    ),
    IntervalFeature("RefSeq_exon", "annotation", "RefSeq exon", "refseq_exons", "bed"),
    IntervalFeature("RefSeq_gene", "annotation", "RefSeq gene body", "refseq_genes", "bed"),
    IntervalFeature(
        "LaminB1_LAD", "annotation", "lamin B1 lamina-associated domain", "lamin_b1_lads", "bed"
    ),
    IntervalFeature(
        "Oct4_ChIP", "chip_seq", "Oct4 ChIP-seq peak (janggu sample.fa)", "oct4_peaks", "peaks"
    ),
    IntervalFeature(
        "Mafk_ChIP", "chip_seq", "Mafk ChIP-seq peak (janggu sample2.fa)", "mafk_peaks", "peaks"
    ),
)

MOTIF_GROUP = "tf_motif"


def motif_feature_name(tf_name: str) -> str:
    return f"motif_{tf_name.replace('::', '_')}"
