"""``prepare`` from a genome FASTA and a features table, on the committed chr20 slice with real
hg19 annotation lines, and on small generated genomes."""

from pathlib import Path

import numpy as np
import pytest
from Bio import bgzf

from core.kmers import base_codes
from core.reference import ReferenceGenome
from service.settings import DEMO_FASTA
from tests.conftest import DATA
from training.cli import main as train_main
from training.data.feature_table import FeatureTableError, read_feature_table
from training.data.prepare import (
    HeldOut,
    PrepareSettings,
    Region,
    bin_splits,
    prepare,
    select_contigs,
)
from training.data.samples import Samples
from training.data.shards import PreparedDataset

SLICE = DATA / "GRCh37_chr20_1280001-1300000.fa"
ANNOTATIONS = DATA / "hg19_chr20_1280001-1300000"


def _table(directory: Path) -> Path:
    rows = [
        "name\tgroup\tpath\tdescription",
        f"CpG_island\tannotation\t{ANNOTATIONS / 'cpg_islands.bed'}\tUCSC CpG island",
        f"RefSeq_TSS\tannotation\t{ANNOTATIONS / 'refseq_tss.bed'}",
        f"RefSeq_exon\tannotation\t{ANNOTATIONS / 'refseq_exons.bed'}\tRefSeq exon",
    ]
    directory.mkdir(parents=True, exist_ok=True)
    table = directory / "features.tsv"
    table.write_text("\n".join(rows) + "\n")
    return table


def _slice_dataset(tmp_path: Path, settings: PrepareSettings | None = None) -> PreparedDataset:
    prepare(SLICE, _table(tmp_path), tmp_path / "data", settings or PrepareSettings())
    return PreparedDataset.open(tmp_path / "data")


def test_annotation_labels_of_bins_checked_by_hand(tmp_path: Path) -> None:
    data = _slice_dataset(tmp_path)
    samples = Samples.of(data, "train")
    starts = samples.bin_starts.tolist()
    assert starts[0] == 1_280_400 and starts[-1] == 1_299_200  # windows [b - 400, b + 604)
    labels = {
        f.name: dict(zip(starts, samples.labels[:, i].tolist(), strict=True))
        for i, f in enumerate(data.features)
    }
    cpg = labels["CpG_island"]
    # CpG island [1,286,516, 1,286,727): bin 1,286,400 overlaps 84 bp, bin 1,286,600 127 bp
    assert (cpg[1_286_400], cpg[1_286_600]) == (0, 1)
    # CpG island [1,293,681, 1,294,328): bins 1,293,600 (119 bp) ... 1,294,200 (128 bp)
    assert [cpg[b] for b in range(1_293_400, 1_294_600, 200)] == [0, 1, 1, 1, 1, 0]
    tss = labels["RefSeq_TSS"]  # the single TSS at 1,294,316 lies in bin 1,294,200
    assert [b for b, v in tss.items() if v] == [1_294_200]
    exon = labels["RefSeq_exon"]
    # exon [1,291,443, 1,291,535) is 92 bp: wholly inside bin 1,291,400
    assert exon[1_291_400] == 1 and exon[1_291_600] == 0
    # the stored window is the reference's, as serving reads it (1004 bases)
    reference = ReferenceGenome(SLICE)
    row = starts.index(1_286_600)
    expected = base_codes(reference.fetch("20", 1_286_200, 1_287_204))
    assert np.array_equal(samples.codes(np.array([row]))[0], expected)
    assert data.manifest["positives"]["train"]["RefSeq_TSS"] == 1
    assert data.manifest["features"][1]["description"] == "RefSeq_TSS (refseq_tss.bed)"
    assert len(data.manifest["reference"]["sha256"]) == 64


def test_held_out_windows_never_overlap_training_windows() -> None:
    bins = np.arange(0, 100_000, 200, dtype=np.int64)
    window_start = bins - 400
    window_end = window_start + 1004
    validation, test = Region("20", 40_000, 50_000), Region("20", 70_000, 80_000)
    other = Region("8", 0, 100_000)  # another contig's region holds none of these bins
    held = {1: HeldOut(regions=(validation,)), 2: HeldOut(regions=(test, other))}
    split = bin_splits("20", window_start, window_end, held)
    for value, region in ((1, validation), (2, test)):
        assert np.all(window_start[split == value] >= region.start)
        assert np.all(window_end[split == value] <= region.end)
        train = split == 0
        assert not np.any((window_end[train] > region.start) & (window_start[train] < region.end))
    assert (split == -1).sum() > 0  # bins whose windows straddle a boundary are dropped
    assert (split == 2).sum() == (80_000 - 70_000 - 1004) // 200 + 1
    assert set(bin_splits("8", window_start, window_end, {2: HeldOut(("8",))})) == {2}


def test_held_out_sets_naming_a_missing_contig_are_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = _table(tmp_path)
    argv = ["prepare", "--fasta", str(SLICE), "--features", str(table), "--out", str(tmp_path)]
    with pytest.raises(SystemExit, match=r"the test set names contig 8, which would hold no bin"):
        train_main([*argv, "--test-contigs", "8"])
    with pytest.raises(SystemExit, match=r"validation set names contig 8.*it has 20"):
        train_main([*argv, "--validation-region", "8:50000001-54000000"])


def test_keep_peaks_and_an_exclusion_list_choose_the_bins(tmp_path: Path) -> None:
    exclude = tmp_path / "blacklist.bed"
    exclude.write_text("chr20\t1290000\t1291000\n")
    settings = PrepareSettings(keep="peaks", negative_share=0.0)
    prepare(SLICE, _table(tmp_path), tmp_path / "data", settings, exclude)
    samples = Samples.of(PreparedDataset.open(tmp_path / "data"), "train")
    assert samples.labels.any(axis=1).all()  # peaks only
    all_bins = Samples.of(_slice_dataset(tmp_path / "all"), "train")
    expected = [
        b
        for b, row in zip(all_bins.bin_starts.tolist(), all_bins.labels, strict=True)
        if row.any() and not (b - 400 < 1_291_000 and b + 604 > 1_290_000)
    ]
    assert samples.bin_starts.tolist() == expected and len(expected) > 5


def test_the_test_contig_holds_every_bin_of_its_contig(tmp_path: Path) -> None:
    settings = PrepareSettings(test=HeldOut(("chr20",)))
    data = _slice_dataset(tmp_path, settings)
    assert len(data.split("train")) == 0 and len(data.split("test")) == 95


def test_primary_contigs_are_chosen_by_default(tmp_path: Path) -> None:
    fasta = tmp_path / "genome.fa"
    names = ["chr1", "chr2_KI270715v1_random", "chrUn_GL000220v1", "chrX", "chrM", "chr8_alt"]
    fasta.write_text("".join(f">{name}\nACGT\n" for name in names))
    assert select_contigs(ReferenceGenome(fasta), ()) == ["chr1", "chrX"]
    assert select_contigs(ReferenceGenome(fasta), ("M", "1")) == ["chrM", "chr1"]
    with pytest.raises(ValueError, match=r"--contigs: contig '9' is not in reference genome\.fa"):
        select_contigs(ReferenceGenome(fasta), ("9",))


def test_a_features_table_is_checked_row_by_row(tmp_path: Path) -> None:
    table = tmp_path / "features.tsv"
    table.write_text("CTCF\ttf\tmissing.bed\n")
    with pytest.raises(FeatureTableError, match=r"line 1: the peaks of 'CTCF', .*missing.bed"):
        read_feature_table(table)
    (tmp_path / "ctcf.bed").write_text("chr1\t1\t2\n")
    table.write_text("CTCF\ttf\tctcf.bed\nCTCF\ttf\tctcf.bed\n")  # relative to the table
    with pytest.raises(FeatureTableError, match=r"line 2: feature 'CTCF' is named twice"):
        read_feature_table(table)
    table.write_text("CTCF ctcf.bed\n")
    with pytest.raises(FeatureTableError, match=r"line 1: expected tab-separated name, group"):
        read_feature_table(table)


def test_the_demo_labels_are_reproduced_by_the_general_path(tmp_path: Path) -> None:
    """The demo's 45 features (annotation BEDs, ChIP-seq peaks, JASPAR motif hits, as
    ``demo-inputs`` writes them) on 20:1,000,001-1,500,000, prepared from the bundled reference:
    the labels equal those of the demo model's data (the single-contig path they replace)."""
    fixture = DATA / "demo_chr20_1000001-1500000"
    settings = PrepareSettings(token_groups=("tf_motif",))
    prepare(DEMO_FASTA, fixture / "features.tsv", tmp_path, settings)
    samples = Samples.of(PreparedDataset.open(tmp_path), "train")
    expected = np.load(fixture / "expected_labels.npz")
    inside = (samples.bin_starts >= 1_000_000) & (samples.bin_starts < 1_500_000)
    assert np.array_equal(samples.bin_starts[inside], expected["bin_starts"])
    labels = np.unpackbits(expected["labels"], axis=1, count=samples.labels.shape[1])
    assert np.array_equal(samples.labels[inside], labels)
    assert labels.sum() == 2897 and (labels.sum(axis=0) > 0).sum() == 44


def test_a_bgzipped_genome_prepares_as_the_plain_one(tmp_path: Path) -> None:
    compressed = tmp_path / "slice.fa.gz"
    with bgzf.BgzfWriter(str(compressed), "wb") as handle:
        handle.write(SLICE.read_bytes())
    prepare(compressed, _table(tmp_path), tmp_path / "bgzip", PrepareSettings())
    plain = Samples.of(_slice_dataset(tmp_path / "plain"), "train")
    packed = Samples.of(PreparedDataset.open(tmp_path / "bgzip"), "train")
    indices = np.arange(len(plain), dtype=np.int64)
    assert np.array_equal(packed.codes(indices), plain.codes(indices))
    assert np.array_equal(packed.labels, plain.labels)
