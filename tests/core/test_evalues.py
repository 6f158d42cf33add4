from pathlib import Path

import numpy as np
import pytest

from core.evalues import background_from_scores, load_background, quantile_probabilities


def test_quantile_probabilities_are_dense_in_the_upper_tail() -> None:
    p = quantile_probabilities()
    assert p[0] == 0.0 and p[-1] == 1.0 and np.all(np.diff(p) > 0)
    assert (p > 0.99).sum() >= 20


def test_evalues_are_one_minus_the_background_ecdf_floored_at_one_over_n(tmp_path: Path) -> None:
    scores = np.arange(1, 1001, dtype=np.float64)[:, None]  # background |diff x logfold|: 1..1000
    background = background_from_scores(scores, "test")
    path = tmp_path / "background.json"
    path.write_text(__import__("json").dumps(background.to_json()))
    loaded = load_background(path)
    # a score s with diff * logfold = s: E = share of background above it
    diff = np.array([[500.5], [900.0], [0.5], [5000.0]])
    evalues = loaded.evalues(diff, np.ones_like(diff))
    assert evalues[0, 0] == pytest.approx(0.5, abs=0.002)
    assert evalues[1, 0] == pytest.approx(0.1, abs=0.002)
    assert evalues[2, 0] == 1.0  # below every background score
    assert evalues[3, 0] == pytest.approx(1 / 1000)  # above all: floored at 1/n


def test_a_feature_whose_background_is_all_ties_still_has_evalues() -> None:
    background = background_from_scores(np.zeros((100, 1)), "ties")
    evalues = background.evalues(np.array([[0.0], [1.0]]), np.array([[1.0], [1.0]]))
    assert evalues[0, 0] == pytest.approx(1 / 100)  # the ECDF at a tied value is its last step
    assert evalues[1, 0] == pytest.approx(1 / 100)
