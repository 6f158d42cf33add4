"""The priority's rank among background variants of its class: percentile and PHRED-like score."""

import numpy as np
import pytest

from core.calibration import priority_background, variant_class


def test_variant_classes() -> None:
    assert variant_class("A", "G") == "snv"
    assert [variant_class(r, a) for r, a in (("AT", "A"), ("A", "AT"), ("AT", "GC"))] == [
        "indel"
    ] * 3


def test_the_rank_reads_the_class_background() -> None:
    background = priority_background(
        {"snv": np.arange(1, 100) / 100, "indel": np.array([0.2, 0.4])}, "test", {}
    )
    median = background.rank(0.5, "snv")  # 49 of 99 below, 1 tied
    assert median is not None and median.percentile == pytest.approx(50.0, abs=0.1)
    assert median.phred == pytest.approx(-10 * np.log10(51 / 100), abs=0.05)  # 50 at or above
    top = background.rank(0.995, "snv")
    assert top is not None and (top.percentile, top.phred) == (100.0, 20.0)  # none above: 1/100
    assert background.rank(0.3, "indel") == background.rank(0.3, "indel")
    indel = background.rank(0.3, "indel")
    assert indel is not None and indel.percentile == 50.0
    assert priority_background({"snv": np.array([0.1])}, "", {}).rank(0.5, "indel") is None
