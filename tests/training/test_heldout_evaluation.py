"""The full-test-split evaluation of an exported model: served predictions, block bootstrap."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from core.kmers import Vocabulary
from core.manifest import Feature, load_manifest
from core.reference import ReferenceGenome
from model_export.model_card import write_model_card
from model_export.onnx_export import export_onnx
from service.settings import DEMO_MODEL_DIR
from tests.training.datasets import slice_bins, slice_samples
from training.evaluate import predict_windows
from training.heldout_evaluation import (
    TEST_SPLIT_FILE,
    block_bootstrap_rows,
    group_median_aurocs,
    median_difference_interval,
    onnx_predictions,
)
from training.model import LogoConfig, LogoModel

FEATURES = [Feature("a", "one"), Feature("b", "one"), Feature("c", "one"), Feature("d", "two")]


@pytest.mark.slow
def test_onnx_predictions_are_the_torch_models_frame_and_strand_average(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=2)).eval()
    onnx_path = export_onnx(model, tmp_path / "model.onnx", tokens_per_frame=201)
    starts = slice_bins(1_281_000, 1_286_000)[:20]  # 20 bins: two calls
    labels = np.zeros((len(starts), 2), dtype=np.uint8)
    samples = slice_samples(tmp_path / "data", slice_reference, starts, labels)
    served = onnx_predictions(onnx_path, samples)
    expected = predict_windows(model, samples, np.arange(len(starts)))
    assert served.shape == (20, 2)
    np.testing.assert_allclose(served, expected, atol=1e-5)


def test_bootstrap_rows_are_contiguous_blocks_of_the_right_count() -> None:
    rows = block_bootstrap_rows(1003, 50, np.random.default_rng(0))
    assert len(rows) == 1003 and rows.min() >= 0 and rows.max() < 1003
    blocks = rows[:1000].reshape(20, 50)
    assert (np.diff(blocks, axis=1) == 1).all()  # each block is 50 neighbouring rows
    assert len(np.unique(blocks[:, 0])) > 1  # blocks start at random places


def test_group_medians_by_hand() -> None:
    labels = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0], [1, 0, 1, 1]], dtype=np.uint8)
    # AUROC by hand: a 1.0, b 0.25, c 0.75 (median 0.75); d 1.0
    predictions = np.array(
        [[0.1, 0.9, 0.1, 0.1], [0.9, 0.1, 0.9, 0.9], [0.2, 0.8, 0.6, 0.2], [0.8, 0.2, 0.5, 0.8]]
    )
    medians = group_median_aurocs(predictions, labels, FEATURES, np.arange(4))
    assert medians == {"one": 0.75, "two": 1.0}


def test_the_interval_holds_the_difference_and_says_who_is_ahead() -> None:
    rng = np.random.default_rng(1)
    labels = (rng.random((2000, 4)) < 0.2).astype(np.uint8)
    noise = rng.random((2000, 4))
    good = labels + noise  # AUROC well above the noise alone
    same = median_difference_interval(noise, noise, labels, FEATURES, 20, rng)
    assert all(d["difference"] == 0 and d["share_ahead"] == 0 for d in same.values())
    ahead = median_difference_interval(good, noise, labels, FEATURES, 20, rng)
    for difference in ahead.values():
        assert difference["low"] <= difference["difference"] <= difference["high"]
        assert difference["low"] > 0.3 and difference["share_ahead"] == 1.0


def test_the_model_card_cites_the_test_split_only_for_its_own_onnx_file(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    shutil.copytree(DEMO_MODEL_DIR, model_dir)
    manifest = load_manifest(model_dir)
    result = {
        "test_bins": 7,
        "onnx_sha256": manifest.onnx.sha256,
        "median_auroc_difference": {"annotation": {"difference": 0.01, "low": -0.02, "high": 0.03}},
    }
    (model_dir / TEST_SPLIT_FILE).write_text(json.dumps(result))
    card = write_model_card(manifest, model_dir).read_text()
    assert "Every one of the 7 test bins" in card
    assert "- annotation: +0.0100 [-0.0200, +0.0300]" in card
    result["onnx_sha256"] = "0" * 64  # another model's figures
    (model_dir / TEST_SPLIT_FILE).write_text(json.dumps(result))
    assert "test bins, through" not in write_model_card(manifest, model_dir).read_text()
