"""The training steps behind ``logoscore-train pretrain|finetune|evaluate``, on prepared data."""

import json
import logging
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.evalues import BACKGROUND_FILE, background_from_scores
from core.prioritiser import PRIORITISER_FILE
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.background import observed_snvs, simulated_snvs
from training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from training.data.samples import Samples
from training.data.shards import PreparedDataset
from training.data.sources import SOURCES, THOUSAND_GENOMES_VCFS, fetch
from training.device import device_description, training_device
from training.encoder_checkpoint import load_encoder, save_encoder
from training.evaluate import evaluation_bins, feature_metrics, predict_windows
from training.finetune import FinetuneSettings, finetune
from training.head_refit import HeadRefitSettings, refit_head
from training.loop import LoopHistory, LoopSettings, loop_device
from training.model import LogoConfig, LogoModel, parameter_count
from training.motif_tokens import MOTIF_HITS_FILE, MotifHits
from training.pretrain import (
    GenomeWindows,
    PretrainingModel,
    SampleWindows,
    masked_validation,
    pretrain,
)
from training.prioritiser import fit_prioritiser
from training.variant_scoring import score_variants

logger = logging.getLogger(__name__)


def _summary(settings: LoopSettings, history: LoopHistory, started: float) -> dict[str, Any]:
    device, run = loop_device(settings)
    return {
        "settings": asdict(settings),
        "history": history.summary(),
        "seconds": round(time.perf_counter() - started, 1),
        "device": device_description(device, settings.bf16, run.world_size),
    }


def run_pretraining(
    data_dir: Path | None,
    out: Path,
    settings: LoopSettings,
    batch_size: int,
    resume: bool,
    genome: tuple[Path, tuple[str, ...], WindowSpec] | None = None,
    shape: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Masked-k-mer pretraining on a prepared dataset's training windows, or, with ``genome``
    (FASTA, contigs, window), on windows sampled from the whole genome; validation on the
    dataset's validation split when there is one."""
    _, run = loop_device(settings)
    data = PreparedDataset.open(data_dir) if data_dir is not None else None
    spec = genome[2] if genome is not None else data.spec if data is not None else WindowSpec()
    vocab_size = spec.vocabulary.size
    torch.manual_seed(settings.seed)  # the initial weights, too, follow the seed
    model = PretrainingModel(LogoConfig(vocab_size=vocab_size, outputs=1, **(shape or {})))
    if genome is not None:
        draw: SampleWindows | GenomeWindows = GenomeWindows(genome[0], genome[1], spec, batch_size)
        source = f"windows sampled from {genome[0]} ({len(genome[1])} contigs)"
    elif data is not None:
        draw = SampleWindows(Samples.of(data, "train"), batch_size)
        source = str(data_dir)
    else:
        raise ValueError("pretrain reads --data or --fasta")
    validation = None
    if data is not None and len(data.split("validation")):
        validation = masked_validation(Samples.of(data, "validation"), batch_size)
    started = time.perf_counter()
    history = pretrain(
        model, draw, settings, out.with_suffix(".state.pt"), resume, validation, run.rank
    )
    summary = {
        "task": "masked k-mer modelling (15%; 80% mask, 10% random, 10% kept)",
        "data": source,
        "batch_size": batch_size,
        **_summary(settings, history, started),
    }
    if run.main:
        save_encoder(model.encoder, out, summary, spec)
    return summary


def run_finetuning(
    data_dir: Path,
    out: Path,
    settings: FinetuneSettings,
    pretrained: Path | None,
    assembly: str,
    resume: bool,
    shape: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fine-tune a model of ``shape`` (``LogoConfig``'s sizes; LOGO's by default) on a prepared
    dataset, from a pretrained encoder (whose shape it takes) or from initialisation."""
    _, run = loop_device(settings.loop)
    data = PreparedDataset.open(data_dir)
    spec = data.spec
    torch.manual_seed(settings.loop.seed)  # the initial weights, too, follow the seed
    outputs = len(data.features)
    config = LogoConfig(vocab_size=spec.vocabulary.size, outputs=outputs, **(shape or {}))
    pretraining: dict[str, Any] | str = (
        "none (from initialisation: N(0, 0.02), k-mer embeddings from their bases)"
    )
    encoder_state = None
    if pretrained is not None:
        encoder_config, encoder_state, pretraining = load_encoder(pretrained, spec)
        config = replace(encoder_config, outputs=outputs)
    model = LogoModel(config)
    if encoder_state is not None:
        model.encoder.load_state_dict(encoder_state)
    hits_path = data_dir / MOTIF_HITS_FILE
    started = time.perf_counter()
    history = finetune(
        model,
        Samples.of(data, "train"),
        settings,
        out.with_suffix(".state.pt"),
        resume,
        MotifHits.load(hits_path) if hits_path.is_file() else None,
        Samples.of(data, "validation"),
        run.rank,
    )
    summary = {
        "data": str(data_dir),
        "batch_size": settings.batch_size,
        "positive_fraction": settings.positive_fraction,
        "motif_token_weight": settings.motif_token_weight,
        **_summary(settings.loop, history, started),
        "parameters": parameter_count(model),
        "pretraining": pretraining,
    }
    if run.main:
        save_checkpoint(Checkpoint(model, data.features, spec, assembly, summary), out)
    return summary


def prepared_and_checkpoint(
    data_dir: Path, checkpoint_path: Path
) -> tuple[PreparedDataset, Checkpoint]:
    """The prepared data and a checkpoint that reads its windows, on the training device."""
    checkpoint = load_checkpoint(checkpoint_path)
    data = PreparedDataset.open(data_dir)
    data.check_window(checkpoint.window)
    checkpoint.model.to(training_device())
    return data, checkpoint


def run_head_refit(
    data_dir: Path, checkpoint_path: Path, out: Path, settings: HeadRefitSettings
) -> dict[str, Any]:
    """Refit the head of ``settings.groups`` on the frozen encoder (``training.head_refit``)."""
    data, checkpoint = prepared_and_checkpoint(data_dir, checkpoint_path)
    started = time.perf_counter()
    model, summary = refit_head(
        checkpoint.model, Samples.of(data, "train"), checkpoint.features, settings
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
    test = Samples.of(data, "test")
    indices, counted = evaluation_bins(test.labels, max_bins)
    started = time.perf_counter()
    predictions = predict_windows(checkpoint.model, test, indices)
    metrics = feature_metrics(predictions, test.labels[indices], data.features, counted)
    logger.info("evaluated %d test bins in %.0f s", len(indices), time.perf_counter() - started)
    return {"checkpoint": str(checkpoint_path), "test_bins": len(indices), **metrics}


BACKGROUND_CONTIG = "20"
"""The background SNVs' contig: the 1000 Genomes VCFs of Debian ``python-pysam-tests`` are chr20."""


def background_genome(
    data_dir: Path | None, fasta: Path | None, window: WindowSpec
) -> tuple[ReferenceGenome, str]:
    """The reference and contig background SNVs are drawn from: a prepared dataset's (read as
    the model reads windows), or chr20 of a FASTA (for a model not trained here)."""
    if data_dir is not None:
        data = PreparedDataset.open(data_dir)
        data.check_window(window)
        return ReferenceGenome(data.reference), data.contig
    if fasta is None:
        raise ValueError("give --data (the prepared dataset) or --fasta (the model's genome)")
    reference = ReferenceGenome(fasta)
    contig = reference.resolve(BACKGROUND_CONTIG)
    if contig is None:
        raise ValueError(reference.unknown_contig_message(BACKGROUND_CONTIG))
    return reference, contig


def run_background(
    data_dir: Path | None,
    fasta: Path | None,
    checkpoint_path: Path,
    out: Path,
    per_observed: int,
    held_out: tuple[int, int],
    seed: int,
    vcfs: list[Path] | None = None,
) -> dict[str, Any]:
    """Score background SNVs (``vcfs``: the fetched 1000 Genomes chr20 VCFs unless given); write
    ``background.json`` (E-value quantiles) and ``prioritiser.json`` (coefficients) to ``out``."""
    checkpoint = load_checkpoint(checkpoint_path)
    checkpoint.model.to(training_device())
    spec = checkpoint.window
    reference, contig = background_genome(data_dir, fasta, spec)
    vcfs = vcfs or [fetch(SOURCES[name]) for name in THOUSAND_GENOMES_VCFS]
    observed = observed_snvs(vcfs, reference, contig, spec)
    simulated = simulated_snvs(
        observed, reference, contig, spec, per_observed, np.random.default_rng(seed)
    )
    snvs = observed + simulated
    started = time.perf_counter()
    effects = score_variants(checkpoint.model, reference, contig, snvs, spec)
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
