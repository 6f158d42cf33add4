import numpy as np
import pytest

from core.effects import VariantRows
from core.scoring import log2_odds, variant_effects


def _probabilities(ref_fwd: float, alt_fwd: float, ref_rev: float, alt_rev: float) -> np.ndarray:
    p = np.zeros((1, 2, 2, 5, 1))  # V A S F N
    p[0, 0, 0], p[0, 1, 0], p[0, 0, 1], p[0, 1, 1] = ref_fwd, alt_fwd, ref_rev, alt_rev
    return p


def test_diff_and_logfold_are_averaged_over_strands() -> None:
    effects = variant_effects(_probabilities(0.5, 0.8, 0.2, 0.5))
    # forward: diff 0.3, logfold log2(4) - 0 = 2; reverse: diff 0.3, logfold 0 - log2(1/4) = 2
    assert effects.diff[0, 0] == pytest.approx(0.3)
    assert effects.logfold[0, 0] == pytest.approx(2.0)
    assert effects.ref[0, 0] == pytest.approx(0.35)
    assert effects.alt[0, 0] == pytest.approx(0.65)


def test_frames_are_averaged_before_the_log_odds() -> None:
    p = _probabilities(0.5, 0.5, 0.5, 0.5)
    p[0, 1, :, :, 0] = [[0.6, 1.0, 0.8, 0.8, 0.8], [0.8, 0.8, 0.8, 0.8, 0.8]]  # alt mean 0.8
    effects = variant_effects(p)
    assert effects.alt[0, 0] == pytest.approx(0.8)
    assert effects.logfold[0, 0] == pytest.approx(2.0)


def test_probabilities_are_clipped_to_1e_7() -> None:
    effects = variant_effects(_probabilities(0.0, 1.0, 0.0, 1.0))
    bound = np.log2((1 - 1e-7) / 1e-7)
    assert effects.logfold[0, 0] == pytest.approx(2 * bound)
    assert effects.diff[0, 0] == pytest.approx(1.0)
    assert log2_odds(np.array([0.5]))[0] == 0.0


def test_unexpected_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\(V, 2, 2, F, N\)"):
        variant_effects(np.zeros((1, 2, 5, 1)))


def test_rows_fold_into_the_same_effects_as_each_variants_own_probabilities() -> None:
    """Frames averaged once per distinct window in float64, then paired: bit for bit the
    effects of each variant's ``(2, 2, F, N)`` probabilities (float32, as models give them)."""
    rng = np.random.default_rng(0)
    probabilities = rng.uniform(0, 1, (3 * 2 * 5, 919)).astype(np.float32)  # 3 windows
    rows = VariantRows(np.zeros((30, 201), np.int64), np.array([[0, 1], [0, 2], [2, 1]]), 5)
    effects = rows.effects(probabilities)
    per_window = probabilities.reshape(3, 2, 5, 919)
    for v, (ref, alt) in enumerate(rows.pairs):
        own = variant_effects(np.stack([per_window[ref], per_window[alt]])[None])
        by_hand = np.stack([per_window[ref], per_window[alt]]).astype(np.float64).mean(axis=2)
        assert np.array_equal(own.ref[0], by_hand[0].mean(axis=0))
        for field in ("ref", "alt", "diff", "logfold"):
            assert np.array_equal(getattr(effects, field)[v], getattr(own, field)[0])
