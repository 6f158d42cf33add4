"""The training steps behind ``logoscore-train pretrain|finetune|evaluate``, on prepared data."""

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.evalues import BACKGROUND_FILE, background_from_scores
from core.kmers import Vocabulary
from core.prioritiser import PRIORITISER_FILE
from core.reference import ReferenceGenome
from training.background import observed_snvs, simulated_snvs
from training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from training.data.prepare import TEST, TRAIN, PreparedData, load_prepared
from training.data.samples import Samples
from training.data.sources import SOURCES, THOUSAND_GENOMES_VCFS, fetch
from training.device import device_description, training_device
from training.encoder_checkpoint import load_encoder, save_encoder
from training.evaluate import evaluation_bins, feature_metrics, predict_windows
from training.finetune import FinetuneSettings, finetune
from training.head_refit import HeadRefitSettings, refit_head
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel, parameter_count
from training.motif_tokens import MOTIF_HITS_FILE, MotifHits
from training.pretrain import PretrainingModel, pretrain
from training.prioritiser import fit_prioritiser
from training.variant_scoring import score_variants

logger = logging.getLogger(__name__)


def split_samples(data: PreparedData, split: int) -> Samples:
    indices = data.indices(split)
    return Samples(data.contig, data.bin_starts[indices], data.labels[indices])


def run_pretraining(
    data_dir: Path, out: Path, settings: LoopSettings, batch_size: int, resume: bool
) -> dict[str, Any]:
    data = load_prepared(data_dir)
    spec = data.spec
    torch.manual_seed(settings.seed)  # the initial weights, too, follow the seed
    model = PretrainingModel(LogoConfig(vocab_size=Vocabulary(spec.k).size, outputs=1))
    started = time.perf_counter()
    history = pretrain(
        model,
        ReferenceGenome(data.reference),
        split_samples(data, TRAIN),
        spec,
        settings,
        batch_size,
        out.with_suffix(".state.pt"),
        resume,
    )
    summary = {
        "task": "masked k-mer modelling (15%; 80% mask, 10% random, 10% kept)",
        "data": str(data_dir),
        "settings": asdict(settings),
        "batch_size": batch_size,
        "history": history.summary(),
        "seconds": round(time.perf_counter() - started, 1),
        "device": device_description(settings.bf16),
    }
    save_encoder(model.encoder, out, summary)
    return summary


def run_finetuning(
    data_dir: Path,
    out: Path,
    settings: FinetuneSettings,
    pretrained: Path | None,
    assembly: str,
    resume: bool,
) -> dict[str, Any]:
    data = load_prepared(data_dir)
    spec = data.spec
    torch.manual_seed(settings.loop.seed)  # the initial weights, too, follow the seed
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(spec.k).size, outputs=len(data.features)))
    pretraining: dict[str, Any] | str = (
        "none (from initialisation: N(0, 0.02), k-mer embeddings from their bases)"
    )
    if pretrained is not None:
        _, encoder_state, pretraining = load_encoder(pretrained)
        model.encoder.load_state_dict(encoder_state)
    started = time.perf_counter()
    history = finetune(
        model,
        ReferenceGenome(data.reference),
        split_samples(data, TRAIN),
        spec,
        settings,
        out.with_suffix(".state.pt"),
        resume,
        MotifHits.load(data_dir / MOTIF_HITS_FILE),
    )
    summary = {
        "data": str(data_dir),
        "settings": asdict(settings),
        "history": history.summary(),
        "seconds": round(time.perf_counter() - started, 1),
        "device": device_description(settings.loop.bf16),
        "parameters": parameter_count(model),
        "pretraining": pretraining,
    }
    save_checkpoint(Checkpoint(model, data.features, spec, assembly, summary), out)
    return summary


def prepared_and_checkpoint(
    data_dir: Path, checkpoint_path: Path
) -> tuple[PreparedData, Checkpoint]:
    """The prepared data and a checkpoint, its model on the training device."""
    checkpoint = load_checkpoint(checkpoint_path)
    checkpoint.model.to(training_device())
    return load_prepared(data_dir), checkpoint


def run_head_refit(
    data_dir: Path, checkpoint_path: Path, out: Path, settings: HeadRefitSettings
) -> dict[str, Any]:
    """Refit the head of ``settings.groups`` on the frozen encoder (``training.head_refit``)."""
    data, checkpoint = prepared_and_checkpoint(data_dir, checkpoint_path)
    started = time.perf_counter()
    model, summary = refit_head(
        checkpoint.model,
        ReferenceGenome(data.reference),
        split_samples(data, TRAIN),
        checkpoint.features,
        checkpoint.window,
        settings,
    )
    summary = {"from": str(checkpoint_path), **summary}
    summary["seconds"] = round(time.perf_counter() - started, 1)
    training = {**checkpoint.training, "parameters": parameter_count(model), "head_refit": summary}
    save_checkpoint(
        Checkpoint(model, checkpoint.features, checkpoint.window, checkpoint.assembly, training),
        out,
    )
    return summary


def run_evaluation(data_dir: Path, checkpoint_path: Path, max_bins: int) -> dict[str, Any]:
    """Per-feature AUROC/AUPRC on the test split (``training.evaluate.evaluation_bins``)."""
    data, checkpoint = prepared_and_checkpoint(data_dir, checkpoint_path)
    test = split_samples(data, TEST)
    indices, counted = evaluation_bins(test.labels, max_bins)
    started = time.perf_counter()
    predictions = predict_windows(
        checkpoint.model, ReferenceGenome(data.reference), test, indices, checkpoint.window
    )
    metrics = feature_metrics(predictions, test.labels[indices], data.features, counted)
    logger.info("evaluated %d test bins in %.0f s", len(indices), time.perf_counter() - started)
    return {"checkpoint": str(checkpoint_path), "test_bins": len(indices), **metrics}


def run_background(
    data_dir: Path,
    checkpoint_path: Path,
    out: Path,
    per_observed: int,
    held_out: tuple[int, int],
    seed: int,
) -> dict[str, Any]:
    """Score background SNVs; write ``background.json`` (E-value quantiles) and
    ``prioritiser.json`` (coefficients) to ``out``."""
    data, checkpoint = prepared_and_checkpoint(data_dir, checkpoint_path)
    reference = ReferenceGenome(data.reference)
    spec = checkpoint.window
    vcfs = [fetch(SOURCES[name]) for name in THOUSAND_GENOMES_VCFS]
    observed = observed_snvs(vcfs, reference, data.contig, spec)
    simulated = simulated_snvs(
        observed, reference, data.contig, spec, per_observed, np.random.default_rng(seed)
    )
    snvs = observed + simulated
    started = time.perf_counter()
    effects = score_variants(checkpoint.model, reference, data.contig, snvs, spec)
    logger.info("scored %d background SNVs in %.0f s", len(snvs), time.perf_counter() - started)
    description = (
        f"{len(observed)} real 1000 Genomes chr20 SNVs (Debian python-pysam-tests) and "
        f"{len(simulated)} simulated SNVs of matched mutation type"
    )
    background = background_from_scores(np.abs(effects.diff * effects.logfold), description)
    is_simulated = np.arange(len(snvs)) >= len(observed)
    positions = np.array([pos for pos, _, _ in snvs], dtype=np.int64)
    prioritiser = fit_prioritiser(effects.logfold, effects.diff, is_simulated, positions, held_out)
    write_json(out / BACKGROUND_FILE, background.to_json())
    write_json(out / PRIORITISER_FILE, prioritiser.to_json())
    return {"background": description, "prioritiser": prioritiser.metrics}


def write_json(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1) + "\n")
