"""The training steps behind ``logoscore-train pretrain|finetune|evaluate``, on prepared data."""

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from core.kmers import Vocabulary
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from training.data.prepare import TEST, TRAIN, PreparedData, load_prepared
from training.data.samples import Samples
from training.encoder_checkpoint import load_encoder, save_encoder
from training.evaluate import feature_metrics, predict_windows
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel, parameter_count
from training.pretrain import PretrainingModel, pretrain
from training.train import FinetuneSettings, finetune

logger = logging.getLogger(__name__)


def split_samples(data: PreparedData, split: int) -> Samples:
    indices = data.indices(split)
    return Samples(data.contig, data.bin_starts[indices], data.labels[indices])


def run_pretraining(
    data_dir: Path, out: Path, settings: LoopSettings, batch_size: int, resume: bool
) -> dict[str, Any]:
    data = load_prepared(data_dir)
    spec = WindowSpec()
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
    spec = WindowSpec()
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(spec.k).size, outputs=len(data.features)))
    pretraining: dict[str, Any] | str = "none (fine-tuned from random initialisation)"
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
    )
    summary = {
        "data": str(data_dir),
        "settings": asdict(settings),
        "history": history.summary(),
        "seconds": round(time.perf_counter() - started, 1),
        "parameters": parameter_count(model),
        "pretraining": pretraining,
    }
    save_checkpoint(Checkpoint(model, data.features, spec, assembly, summary), out)
    return summary


def run_evaluation(
    data_dir: Path, checkpoint_path: Path, max_bins: int, seed: int
) -> dict[str, Any]:
    """Per-feature AUROC/AUPRC on an evenly spaced subset of the test split."""
    data = load_prepared(data_dir)
    checkpoint = load_checkpoint(checkpoint_path)
    test = split_samples(data, TEST)
    indices = np.linspace(0, len(test) - 1, min(max_bins, len(test))).astype(np.int64)
    started = time.perf_counter()
    predictions = predict_windows(
        checkpoint.model, ReferenceGenome(data.reference), test, indices, checkpoint.window
    )
    metrics = feature_metrics(predictions, test.labels[indices], data.features)
    logger.info("evaluated %d test bins in %.0f s", len(indices), time.perf_counter() - started)
    return {"checkpoint": str(checkpoint_path), "test_bins": len(indices), "seed": seed, **metrics}


def write_json(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1) + "\n")
