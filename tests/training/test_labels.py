import numpy as np

from core.windows import WindowSpec
from training.data.labels import bin_labels
from training.data.samples import Region, tile_bins


def test_half_overlap_or_a_whole_interval_makes_a_positive_bin() -> None:
    bins = np.array([0, 200, 400, 600], dtype=np.int64)
    intervals = np.array([[100, 200], [250, 350], [450, 451], [620, 710]], dtype=np.int64)
    # bin 0: 100 bp overlap (half) -> 1; bin 1: 100 bp -> 1; bin 2: holds the 1 bp TSS -> 1;
    # bin 3: holds the whole 90 bp interval -> 1
    assert bin_labels(bins, intervals, span_end=800).tolist() == [1, 1, 1, 1]
    intervals = np.array([[101, 210], [350, 550]], dtype=np.int64)
    # bin 0: 99 bp, and [101, 210) does not fit in it -> 0; bin 1: 10 + 50 bp -> 0;
    # bin 2: 150 bp -> 1; bin 3: nothing -> 0
    assert bin_labels(bins, intervals, span_end=800).tolist() == [0, 0, 1, 0]


def test_bins_are_kept_only_when_their_whole_window_is_in_the_region() -> None:
    spec = WindowSpec()
    starts = tile_bins(Region("20", 1_280_000, 1_290_000), spec)
    # window of bin b: [b - 400, b + 604); so b >= 1,280,400 and b + 604 <= 1,290,000
    assert starts[0] == 1_280_400 and starts[-1] == 1_289_200
    assert np.all(np.diff(starts) == 200)
