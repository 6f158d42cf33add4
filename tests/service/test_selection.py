import numpy as np

from core.manifest import load_manifest
from service.selection import result_view
from service.settings import DEMO_MODEL_DIR

DEMO = load_manifest(DEMO_MODEL_DIR)


def test_features_rank_by_absolute_logfold_ties_in_model_order() -> None:
    view = result_view(DEMO, None, top_k=4)
    logfold = np.zeros(len(DEMO.features))
    logfold[[3, 7, 9, 20]] = [-2.0, 2.0, 0.5, -3.0]
    assert view.ranked(logfold) == [20, 3, 7, 9]
    logfold[:] = 0.0
    assert view.ranked(logfold) == [0, 1, 2, 3]
    chip = result_view(DEMO, ["chip_seq"])
    assert chip.members("chip_seq").tolist() == [6, 7] and chip.selected_groups == ["chip_seq"]
    assert chip.members("tf_motif").tolist() == []


def test_the_strongest_feature_is_the_first_ranked_nan_or_not() -> None:
    rng = np.random.default_rng(1)
    view = result_view(DEMO, ["tf_motif", "Oct4_ChIP"])
    for logfold in [rng.normal(size=45), np.round(rng.normal(size=45)), np.zeros(45)]:
        assert view.strongest(logfold) == view.ranked(logfold)[0]
        logfold[view.ranked(logfold)[0]] = np.nan
        assert view.strongest(logfold) == view.ranked(logfold)[0]
    assert view.strongest(np.full(45, np.nan)) == view.ranked(np.full(45, np.nan))[0] == 6
