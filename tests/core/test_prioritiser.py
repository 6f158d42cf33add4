import json
from pathlib import Path

import numpy as np
import pytest

from core.prioritiser import Prioritiser, load_prioritiser


def test_priority_is_the_logistic_of_standardised_effects(tmp_path: Path) -> None:
    prioritiser = Prioritiser(
        mean=np.array([0.0, 1.0, 0.0, 0.0]),
        scale=np.array([1.0, 2.0, 1.0, 1.0]),
        weights=np.array([1.0, 1.0, 0.0, 2.0]),
        bias=-1.0,
    )
    path = tmp_path / "prioritiser.json"
    path.write_text(json.dumps(prioritiser.to_json()))
    loaded = load_prioritiser(path)
    logfold = np.array([[1.0, 3.0]])  # standardised: 1, 1
    diff = np.array([[0.0, 0.5]])  # standardised: 0, 0.5
    # z = 1 + 1 + 0 + 2 * 0.5 - 1 = 2
    assert loaded.priority(logfold, diff)[0] == pytest.approx(1 / (1 + np.exp(-2.0)))
