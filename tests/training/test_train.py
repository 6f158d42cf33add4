from pathlib import Path

import numpy as np
import pytest
import torch

from core.kmers import Vocabulary
from core.manifest import Feature
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from tests.training.datasets import slice_bins, slice_samples
from training.batches import serving_tokens
from training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from training.data.intervals import bin_labels
from training.data.samples import Samples
from training.finetune import FinetuneSettings, feature_balanced_indices, finetune
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel
from training.motif_tokens import MotifHits

SPEC = WindowSpec()
# The two real UCSC CpG islands (chromhmm-example, hg19) inside the test slice
CPG_ISLANDS = np.array([[1_286_516, 1_286_727], [1_293_681, 1_294_328]], dtype=np.int64)


def _samples(directory: Path, reference: ReferenceGenome) -> Samples:
    starts = slice_bins(1_286_000, 1_296_000)
    labels = bin_labels(starts, CPG_ISLANDS)[:, None]
    return slice_samples(directory, reference, starts, labels)


def _run(samples: Samples) -> tuple[LogoModel, list[float]]:
    torch.manual_seed(0)
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=1, dropout=0.0))
    settings = FinetuneSettings(LoopSettings(steps=3, warmup_steps=1, seed=1), batch_size=4)
    history = finetune(model, samples, settings)
    return model, history.losses


def test_training_steps_are_finite_and_reproducible(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    samples = _samples(tmp_path, slice_reference)
    assert samples.labels.sum() >= 1
    _, first = _run(samples)
    _, second = _run(samples)
    assert len(first) == 3 and all(np.isfinite(first))
    assert first == second


def test_a_checkpoint_round_trip_keeps_the_outputs(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    model, _ = _run(_samples(tmp_path / "data", slice_reference))
    model.eval()
    path = save_checkpoint(
        Checkpoint(model, [Feature("CpG_island", "annotation")], SPEC, "GRCh37", {"steps": 3}),
        tmp_path / "model.pt",
    )
    loaded = load_checkpoint(path)
    tokens = torch.randint(4, Vocabulary(5).size, (2, 201))
    with torch.no_grad():
        assert torch.equal(model(tokens), loaded.model(tokens))
    assert loaded.features == [Feature("CpG_island", "annotation")]
    assert (loaded.window, loaded.assembly, loaded.training) == (SPEC, "GRCh37", {"steps": 3})


def _all_frames_loss(model: LogoModel, samples: Samples) -> float:
    model.eval()
    indices = np.arange(len(samples))
    with torch.no_grad():
        tokens = torch.from_numpy(serving_tokens(samples, indices))  # B*2*F T
        logits = model(tokens).reshape(len(samples), 2 * SPEC.k)  # B 2F (one feature)
        targets = torch.from_numpy(samples.labels.astype(np.float32)).expand(-1, 2 * SPEC.k)
        return float(torch.nn.functional.binary_cross_entropy_with_logits(logits, targets))


@pytest.mark.slow
def test_fine_tuning_lowers_the_loss_on_real_windows(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    starts = np.array([1_286_600, 1_293_800, 1_288_000, 1_297_000], dtype=np.int64)
    labels = np.array([[1], [1], [0], [0]], dtype=np.uint8)  # the first two are CpG island bins
    samples = slice_samples(tmp_path, slice_reference, starts, labels)
    torch.manual_seed(0)
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=1, dropout=0.0))
    before = _all_frames_loss(model, samples)
    loop = LoopSettings(steps=60, learning_rate=1e-3, warmup_steps=5, linear_decay=True)
    finetune(model, samples, FinetuneSettings(loop, batch_size=8))
    after = _all_frames_loss(model, samples)
    assert after < 0.25 * before  # seeded: 0.692 -> 0.085 (seeds 1, 2: 0.014, 0.005)


def test_every_feature_gets_its_share_of_positives_however_rare() -> None:
    rare, common = np.array([7], dtype=np.int64), np.arange(0, 1000, 2, dtype=np.int64)
    rng = np.random.default_rng(0)
    batches = [
        feature_balanced_indices([rare, common, rare[:0]], 1000, 8, 0.5, rng) for _ in range(500)
    ]
    positive_half = np.concatenate([b[:4] for b in batches])
    assert all(len(b) == 8 for b in batches)
    # the empty third feature is never chosen: half the positive slots are the one rare bin
    assert abs((positive_half == 7).mean() - 0.5) < 0.05
    assert np.isin(positive_half[positive_half != 7], common).all()
    uniform_half = np.concatenate([b[4:] for b in batches])
    assert abs((uniform_half % 2 == 0).mean() - 0.5) < 0.05


def test_the_token_motif_loss_trains_the_encoder_and_stays_out_of_the_model(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    samples = _samples(tmp_path, slice_reference)
    # one motif column (the CpG label column stands in), hits planted at real positions
    hits = MotifHits.collect([(0, np.array([1_286_600, 1_290_000, 1_293_900]), 12)])
    settings = FinetuneSettings(LoopSettings(steps=3, warmup_steps=1, seed=1), batch_size=4)
    losses = []
    for motif_hits in (None, hits):
        torch.manual_seed(0)
        model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=1, dropout=0.0))
        history = finetune(model, samples, settings, motif_hits=motif_hits)
        losses.append(history.losses)
        assert set(model.state_dict()) == set(LogoModel(model.config).state_dict())
    plain, with_tokens = losses
    # same batches, so the first loss differs by the weighted token loss alone (> 0)
    assert all(np.isfinite(with_tokens)) and with_tokens[0] > plain[0]
