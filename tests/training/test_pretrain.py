from pathlib import Path

import numpy as np
import torch

from core.kmers import CLS, MASK, Vocabulary
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from tests.training.datasets import slice_bins, slice_samples
from training.loop import LoopSettings
from training.model import LogoConfig
from training.pretrain import (
    IGNORE,
    GenomeWindows,
    PretrainingModel,
    SampleWindows,
    mask_tokens,
    pretrain,
)

VOCABULARY = Vocabulary(5).size


def test_masking_follows_logo_15_percent_80_10_10() -> None:
    rng = np.random.default_rng(0)
    tokens = rng.integers(4, VOCABULARY, size=(400, 201))
    tokens[:, 0] = CLS
    inputs, targets = mask_tokens(tokens, rng, Vocabulary(5))
    chosen = targets != IGNORE
    assert not chosen[:, 0].any()  # cls is never chosen
    assert abs(chosen[:, 1:].mean() - 0.15) < 0.005
    assert np.array_equal(targets[chosen], tokens[chosen])
    masked = inputs[chosen] == MASK
    kept = inputs[chosen] == tokens[chosen]
    assert abs(masked.mean() - 0.8) < 0.02
    assert abs(kept.mean() - 0.1) < 0.02  # (a random k-mer equal to the original counts here too)
    assert np.array_equal(inputs[~chosen], tokens[~chosen])


def test_the_decoder_is_tied_to_the_token_embedding() -> None:
    model = PretrainingModel(LogoConfig(vocab_size=VOCABULARY, outputs=1))
    assert model.head.embedding.weight is model.encoder.token_embedding.weight
    chosen = torch.zeros((2, 201), dtype=torch.bool)
    chosen[0, 5], chosen[1, 7], chosen[1, 9] = True, True, True
    logits = model.logits(torch.full((2, 201), 10), chosen)
    assert logits.shape == (3, VOCABULARY)


def test_pretraining_steps_run_on_real_windows(
    slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    model = PretrainingModel(LogoConfig(vocab_size=VOCABULARY, outputs=1))
    starts = slice_bins(1_286_000, 1_296_000)
    samples = slice_samples(
        tmp_path, slice_reference, starts, np.zeros((len(starts), 1), dtype=np.uint8)
    )
    settings = LoopSettings(steps=2, warmup_steps=1)
    history = pretrain(model, SampleWindows(samples, 2), settings)
    # untrained, the loss is near ln(vocabulary) = 8.05
    assert len(history.losses) == 2 and all(7.0 < loss < 9.5 for loss in history.losses)


def test_pretraining_reads_windows_from_the_whole_genome(tmp_path: Path) -> None:
    fasta = tmp_path / "genome.fa"
    fasta.write_text(">1\n" + "A" * 30_000 + "\n>2\n" + "N" * 25_000 + "C" * 5_000 + "\n")
    draw = GenomeWindows(fasta, ("1", "2"), WindowSpec(), 64)
    batch = draw(np.random.default_rng(0))
    inputs, targets = batch["inputs"], batch["targets"]
    assert inputs.shape == targets.shape == (64, 201)
    assert (inputs[:, 0] == CLS).all() and (targets != IGNORE).any()
    poly_a, poly_c = Vocabulary(5).kmer_id("AAAAA"), Vocabulary(5).kmer_id("CCCCC")
    kept = inputs[:, 1:][targets[:, 1:] == IGNORE]  # unmasked k-mers: what each window read
    # windows come from both contigs (by length), never from one more than half N
    assert {poly_a, Vocabulary(5).kmer_id("TTTTT")} & set(kept.tolist())
    assert poly_c in set(kept.tolist()) or Vocabulary(5).kmer_id("GGGGG") in set(kept.tolist())
    n_heavy = Vocabulary(5).kmer_id("NNNNN")
    assert ((inputs == n_heavy).sum(axis=1) <= 100).all()


def test_logos_scheme_masks_every_position_and_draws_logos_ids() -> None:
    vocabulary = Vocabulary(5, "logo-ngram-v1")
    rng = np.random.default_rng(0)
    tokens = rng.integers(10, 3135, size=(400, 200))
    inputs, targets = mask_tokens(tokens, rng, vocabulary)
    chosen = targets != IGNORE
    assert chosen[:, 0].mean() > 0.1  # no cls: the first k-mer is masked like any other
    assert (inputs[chosen & (inputs != tokens)] >= 2).all()
    replaced = inputs[chosen & (inputs != tokens) & (inputs != 2)]
    assert replaced.min() >= 10 and replaced.max() <= 3134  # random k-mers among LOGO's ids
