"""Intervals from BED-like files, and DeepSEA's labelling rule."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from training.data.intervals import IntervalFileError, Intervals, bin_labels, merged, overlapping


def test_half_overlap_or_a_whole_interval_makes_a_positive_bin() -> None:
    bins = np.array([0, 200, 400, 600], dtype=np.int64)
    intervals = np.array([[100, 200], [250, 350], [450, 451], [620, 710]], dtype=np.int64)
    # bin 0: 100 bp overlap (half) -> 1; bin 1: 100 bp -> 1; bin 2: holds the 1 bp TSS -> 1;
    # bin 3: holds the whole 90 bp interval -> 1
    assert bin_labels(bins, intervals).tolist() == [1, 1, 1, 1]
    intervals = np.array([[101, 210], [350, 550]], dtype=np.int64)
    # bin 0: 99 bp, and [101, 210) does not fit in it -> 0; bin 1: 10 + 50 bp -> 0;
    # bin 2: 150 bp -> 1; bin 3: nothing -> 0
    assert bin_labels(bins, intervals).tolist() == [0, 0, 1, 0]


def test_a_motif_hit_labels_only_the_bin_that_holds_it_whole() -> None:
    bins = np.array([0, 200, 400], dtype=np.int64)
    hits = np.array([[10, 20], [195, 205], [405, 415]], dtype=np.int64)  # 195-205 crosses bins
    assert bin_labels(bins, hits).tolist() == [1, 0, 1]


def test_overlapping_intervals_count_once_toward_the_half() -> None:
    bins = np.array([0, 200], dtype=np.int64)
    # [-150, 99) three times and [-160, 60): 99 bp of bin 0 covered (summed: 357)
    intervals = np.array([[-160, 60], [-150, 99], [-150, 99], [-150, 99]], dtype=np.int64)
    assert merged(intervals).tolist() == [[-160, 99]]
    assert bin_labels(bins, intervals).tolist() == [0, 0]
    assert bin_labels(bins, np.array([[0, 250]])).tolist() == [1, 0]  # 50 bp of bin 1
    starts, ends = np.array([0, 100, 300]), np.array([50, 150, 400])
    assert overlapping(starts, ends, intervals).tolist() == [True, False, False]


def test_bed_and_gzipped_narrowpeak_read_alike_under_any_contig_alias(tmp_path: Path) -> None:
    bed = tmp_path / "peaks.bed"
    bed.write_text("track name=x\n#comment\nchr8\t500\t900\tp1\t0\t.\n8\t100\t300\n\nchr9\t5\t6\n")
    narrow = tmp_path / "peaks.narrowPeak.anything"  # gzip is recognised by its bytes
    with gzip.open(narrow, "wt") as handle:
        handle.write(
            "chr8\t500\t900\tpeak1\t1000\t.\t5.1\t-1\t3.2\t150\n8\t100\t300\t.\t0\t.\t1\t1\t1\t5\n"
        )
    for path in (bed, narrow):
        intervals = Intervals.read(path)
        assert intervals.for_contig("8").tolist() == [[100, 300], [500, 900]]
        assert intervals.for_contig("chr8").tolist() == [[100, 300], [500, 900]]
        assert intervals.for_contig("X").shape == (0, 2)


def test_a_malformed_line_is_refused_with_its_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t10\t20\nchr1 10 20\n")
    with pytest.raises(IntervalFileError, match=r"bad.bed line 2: expected tab-separated"):
        Intervals.read(bad)
    bad.write_text("chr1\t30\t20\n")
    with pytest.raises(IntervalFileError, match=r"line 1: start 30 and end 20 are not an interval"):
        Intervals.read(bad)
