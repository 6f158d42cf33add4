from pathlib import Path

import numpy as np
import pytest
import torch

from core.kmers import Vocabulary
from core.manifest import Feature
from core.reference import ReferenceGenome
from tests.training.datasets import slice_bins, slice_samples
from training.data.intervals import bin_labels
from training.data.samples import Samples
from training.evaluate import auroc, predict_windows
from training.head_refit import HeadRefitSettings, refit_head
from training.model import LogoConfig, LogoModel

# The two real UCSC CpG islands (chromhmm-example, hg19) inside the test slice
CPG_ISLANDS = np.array([[1_286_516, 1_286_727], [1_293_681, 1_294_328]], dtype=np.int64)
FEATURES = [Feature("CpG_island", "annotation"), Feature("motif_X", "tf_motif")]


def _samples(directory: Path, reference: ReferenceGenome) -> Samples:
    starts = slice_bins(1_286_000, 1_296_000)
    cpg = bin_labels(starts, CPG_ISLANDS)
    motif = (np.arange(len(starts)) % 7 == 0).astype(np.uint8)  # any second label
    return slice_samples(directory, reference, starts, np.stack([cpg, motif], axis=1), FEATURES)


def _model() -> LogoModel:
    torch.manual_seed(0)
    return LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=2)).eval()


@pytest.mark.slow
def test_the_refitted_group_learns_and_every_other_feature_is_untouched(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    samples, model = _samples(tmp_path, slice_reference), _model()
    settings = HeadRefitSettings(groups=("annotation",), bins=len(samples), batch_windows=16)
    refitted, summary = refit_head(model, samples, FEATURES, settings)
    assert summary["features"] == ["CpG_island"] and summary["bins"] == len(samples)
    assert refitted.config.head_input == "cls+mean"
    for name, value in model.encoder.state_dict().items():
        assert torch.equal(refitted.encoder.state_dict()[name], value)
    # the motif row: its cls weights and bias as fine-tuned, no weight on the mean
    assert torch.equal(refitted.head.weight[1, :256], model.head.weight[1])
    assert torch.equal(refitted.head.weight[1, 256:], torch.zeros(256))
    indices = np.arange(len(samples), dtype=np.int64)
    before = predict_windows(model, samples, indices)
    after = predict_windows(refitted, samples, indices)
    assert np.allclose(after[:, 1], before[:, 1], atol=1e-6)
    # CpG islands, fitted on an untrained encoder: its random cls head ranks them at 0.805,
    # the refitted head on [cls, mean] at 0.945
    cpg = samples.labels[:, 0]
    assert cpg.sum() >= 3
    assert auroc(after[:, 0], cpg) > 0.9 > auroc(before[:, 0], cpg) + 0.05


def test_refit_errors_name_the_fix(slice_reference: ReferenceGenome, tmp_path: Path) -> None:
    samples, model = _samples(tmp_path, slice_reference), _model()
    with pytest.raises(ValueError, match="the groups are: annotation, tf_motif"):
        refit_head(model, samples, FEATURES, HeadRefitSettings(groups=("chip",)))
    settings = HeadRefitSettings(bins=8, batch_windows=8)
    refitted, _ = refit_head(model, samples, FEATURES, settings)
    with pytest.raises(ValueError, match="refit the fine-tuned checkpoint"):
        refit_head(refitted, samples, FEATURES, settings)
