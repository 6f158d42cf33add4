"""Data preparation on the committed chr20 slice, with real hg19 annotation lines."""

from pathlib import Path

import numpy as np
import pytest

from core.windows import WindowSpec
from tests.conftest import DATA
from training.data.features import INTERVAL_FEATURES
from training.data.prepare import TEST, TRAIN, VALIDATION, _splits, interval_labels, prepare
from training.data.samples import Region, tile_bins

ANNOTATIONS = DATA / "hg19_chr20_1280001-1300000"
SPEC = WindowSpec()


def test_annotation_labels_of_bins_checked_by_hand() -> None:
    bins = tile_bins(Region("20", 1_280_000, 1_300_000), SPEC)  # 1,280,400 ... 1,299,200
    features = tuple(
        f for f in INTERVAL_FEATURES if f.source in ("cpg_islands", "refseq_tss", "refseq_exons")
    )
    paths = {f.source: ANNOTATIONS / f"{f.source}.bed" for f in features}
    names, columns = interval_labels(bins, "20", 1_300_000, paths, features)
    labels = {
        feature.name: dict(zip(bins.tolist(), column.tolist(), strict=True))
        for feature, column in zip(names, columns, strict=True)
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


def test_held_out_windows_never_overlap_training_windows() -> None:
    bins = tile_bins(Region("20", 0, 100_000), SPEC)
    validation, test = Region("20", 40_000, 50_000), Region("20", 70_000, 80_000)
    split = _splits(bins, SPEC, validation, test)
    window_start = bins - 400
    window_end = window_start + 1004
    for value, region in ((VALIDATION, validation), (TEST, test)):
        assert np.all(window_start[split == value] >= region.start)
        assert np.all(window_end[split == value] <= region.end)
        train = split == TRAIN
        assert not np.any((window_end[train] > region.start) & (window_start[train] < region.end))
    assert (split == -1).sum() > 0  # bins whose windows straddle a boundary are dropped


def test_a_held_out_region_on_another_contig_is_refused_naming_it(tmp_path: Path) -> None:
    spec = WindowSpec(1000, 5)
    validation = Region("20", 44_000_000, 46_000_000)
    with pytest.raises(
        ValueError, match=r"test region is on contig 8, but prepare reads contig 20"
    ):
        prepare(tmp_path, "20", validation, Region("8", 50_000_000, 54_000_000), spec)
    assert not list(tmp_path.iterdir())  # refused before anything was fetched or written
