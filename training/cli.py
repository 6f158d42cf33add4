"""``logoscore-train``: fetch sources, cut the demo reference, fine-tune a LOGO model.

- ``logoscore-train fetch``: download and verify every registry source (``training.data.sources``);
- ``logoscore-train reference-slice --region 20:1-6000000 --out FASTA``: cut a slice of GRCh37
  chr20 (Debian ``vt-examples``) that keeps its true coordinates;
- ``logoscore-train train --fasta FASTA --out CHECKPOINT``: fine-tune on labelled windows.

Labels come from the annotation packages of ``training.data.sources`` (fetched and checked by
sha256); splits are contiguous regions given as ``CONTIG:START-END`` (1-based, inclusive); the
training split is the rest of the reference.
"""

import argparse
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from core.kmers import Vocabulary
from core.manifest import Feature
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.checkpoint import Checkpoint, save_checkpoint
from training.data.labels import BIN_SIZE, DEMO_FEATURES, bin_labels, read_bed_intervals
from training.data.prepare import prepare
from training.data.reference_slice import read_fasta_record, write_slice
from training.data.samples import Region, Samples, region_samples
from training.data.sources import SOURCES, fetch
from training.evaluate import feature_metrics, predict_windows
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel, parameter_count
from training.pipeline import (
    run_background,
    run_evaluation,
    run_finetuning,
    run_pretraining,
    write_json,
)
from training.report import build_report, report_markdown
from training.train import FinetuneSettings, finetune


def parse_region(text: str) -> Region:
    """``CONTIG:START-END`` (1-based, inclusive) -> 0-based half-open region."""
    contig, _, interval = text.rpartition(":")
    start, _, end = interval.replace(",", "").partition("-")
    return Region(contig=contig, start=int(start) - 1, end=int(end))


def resolved_region(text: str, reference: ReferenceGenome) -> Region:
    region = parse_region(text)
    contig = reference.resolve(region.contig)
    if contig is None:
        raise SystemExit(reference.unknown_contig_message(region.contig))
    return Region(contig, region.start, region.end)


def format_region(region: Region) -> str:
    return f"{region.contig}:{region.start + 1}-{region.end}"


def rest_of_span(reference: ReferenceGenome, held_out: list[Region]) -> list[Region]:
    """The parts of the held-out regions' contig not in any of them."""
    span = reference.spans[held_out[0].contig]
    regions, cursor = [], span.start
    for region in sorted(held_out, key=lambda r: r.start):
        if region.start > cursor:
            regions.append(Region(span.name, cursor, region.start))
        cursor = max(cursor, region.end)
    if cursor < span.end:
        regions.append(Region(span.name, cursor, span.end))
    return regions


def build_splits(
    reference: ReferenceGenome, spec: WindowSpec, regions: dict[str, list[Region]]
) -> dict[str, Samples]:
    contig = regions["test"][0].contig
    span = reference.spans[contig]
    all_bins = np.arange(span.start, span.end - BIN_SIZE + 1, BIN_SIZE, dtype=np.int64)
    labels_of = {
        feature.name: bin_labels(
            all_bins, read_bed_intervals(fetch(SOURCES[feature.source]), contig), span.end
        )
        for feature in DEMO_FEATURES
    }
    splits = {}
    for split, split_regions in regions.items():
        parts = [region_samples(reference, r, labels_of, all_bins, spec) for r in split_regions]
        splits[split] = Samples(
            contig=contig,
            bin_starts=np.concatenate([part.bin_starts for part in parts]),
            labels=np.concatenate([part.labels for part in parts]),
        )
    return splits


def evaluate_splits(
    model: LogoModel, reference: ReferenceGenome, splits: dict[str, Samples], spec: WindowSpec
) -> dict[str, Any]:
    features = [Feature(f.name, f.group, f.description) for f in DEMO_FEATURES]
    metrics = {}
    for split in ("validation", "test"):
        samples = splits[split]
        started = time.perf_counter()
        predictions = predict_windows(model, reference, samples, np.arange(len(samples)), spec)
        metrics[split] = feature_metrics(predictions, samples.labels, features)["features"]
        print(f"{split} AUROC ({time.perf_counter() - started:.0f} s): {metrics[split]}")
    return metrics


def source_descriptions() -> dict[str, str]:
    return {
        feature.name: (
            f"{SOURCES[feature.source].package} {SOURCES[feature.source].version}: "
            f"{SOURCES[feature.source].member}"
        )
        for feature in DEMO_FEATURES
    }


def run_train(args: argparse.Namespace) -> None:
    reference = ReferenceGenome(args.fasta)
    spec = WindowSpec(length=args.window, k=args.k)
    test = resolved_region(args.test, reference)
    validation = resolved_region(args.validation, reference)
    regions = {
        "train": rest_of_span(reference, [test, validation]),
        "validation": [validation],
        "test": [test],
    }
    splits = build_splits(reference, spec, regions)
    for name, samples in splits.items():
        positives = samples.labels.sum(axis=0).tolist()
        print(f"{name}: {len(samples)} bins, positive bins per feature {positives}")
    vocabulary = Vocabulary(spec.k).size
    model = LogoModel(LogoConfig(vocab_size=vocabulary, outputs=len(DEMO_FEATURES)))
    full = LogoModel(LogoConfig(vocab_size=vocabulary, outputs=919))
    print(
        f"parameters: {parameter_count(model):,} with {len(DEMO_FEATURES)} outputs, "
        f"{parameter_count(full):,} with 919 (LOGO-919: 1,526,679)"
    )
    settings = FinetuneSettings(LoopSettings(steps=args.steps, seed=args.seed), args.batch_size)
    history = finetune(model, reference, splits["train"], spec, settings)
    training = {
        "reference": f"{args.fasta.name} (index sha256 {reference.index_sha256})",
        "sources": source_descriptions(),
        "splits": {name: [format_region(r) for r in rs] for name, rs in regions.items()},
        "bins": {name: len(samples) for name, samples in splits.items()},
        "settings": asdict(settings),
        "history": history.summary(),
        "metrics": evaluate_splits(model, reference, splits, spec),
        "parameters": parameter_count(model),
        "pretraining": "none (fine-tuned from random initialisation)",
    }
    features = [Feature(f.name, f.group, f.description) for f in DEMO_FEATURES]
    save_checkpoint(Checkpoint(model, features, spec, args.assembly, training), args.out)
    print(f"checkpoint written to {args.out}")


def run_fetch(_: argparse.Namespace) -> None:
    for name, source in SOURCES.items():
        print(f"{name}: {fetch(source)}")


def run_reference_slice(args: argparse.Namespace) -> None:
    region = parse_region(args.region)
    sequence = read_fasta_record(fetch(SOURCES["grch37_chr20"]), region.contig)
    out = write_slice(sequence, region.contig, region.start + 1, region.end, args.out)
    print(f"{out}: {format_region(region)} ({region.end - region.start:,} bp)")


def run_prepare(args: argparse.Namespace) -> None:
    validation, test = parse_region(args.validation), parse_region(args.test)
    spec = WindowSpec(args.window, args.k)
    summary = prepare(args.out, validation.contig, validation, test, spec)
    print(f"{args.out}: bins {summary['bins']}")
    print(f"positive bins: {summary['positives']}")


def run_pretrain(args: argparse.Namespace) -> None:
    settings = LoopSettings(steps=args.steps, learning_rate=args.learning_rate, seed=args.seed)
    summary = run_pretraining(args.data, args.out, settings, args.batch_size, args.resume)
    print(f"{args.out}: {summary['history']} in {summary['seconds']} s")


def run_finetune(args: argparse.Namespace) -> None:
    loop = LoopSettings(steps=args.steps, learning_rate=args.learning_rate, seed=args.seed)
    settings = FinetuneSettings(loop, args.batch_size)
    summary = run_finetuning(
        args.data, args.out, settings, args.pretrained, args.assembly, args.resume
    )
    print(f"{args.out}: {summary['history']} in {summary['seconds']} s")


def run_evaluate(args: argparse.Namespace) -> None:
    report = run_evaluation(args.data, args.checkpoint, args.max_bins, args.seed)
    write_json(args.report, report)
    print(f"{args.report}: median per group {report['groups']}")


def run_report(args: argparse.Namespace) -> None:
    checkpoints = dict(item.split("=", 1) for item in args.checkpoint)
    report = build_report(
        args.data,
        {name: Path(path) for name, path in checkpoints.items()},
        args.max_bins,
        args.baseline_bins,
        args.per_motif,
        args.seed,
    )
    write_json(args.out / "report.json", report)
    (args.out / "report.md").write_text(report_markdown(report))
    print(f"{args.out}/report.md: motif check {report['motif_check']['pooled_auroc']}")
    for name, metrics in report["models"].items():
        print(f"{name}: {metrics['groups']}")


def run_background_command(args: argparse.Namespace) -> None:
    held_out = parse_region(args.held_out)
    summary = run_background(
        args.data,
        args.checkpoint,
        args.out,
        args.per_observed,
        (held_out.start + 1, held_out.end),
        args.seed,
    )
    print(f"{args.out}: {summary}")


def _add_loop_arguments(parser: argparse.ArgumentParser, steps: int, learning_rate: float) -> None:
    parser.add_argument("--data", type=Path, required=True, help="directory written by prepare")
    parser.add_argument("--out", type=Path, required=True, help="checkpoint to write (.pt)")
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true", help="continue from OUT's .state.pt")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="logoscore-train", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="download and verify the registry sources").set_defaults(
        run=run_fetch
    )
    slice_parser = commands.add_parser("reference-slice", help="cut a GRCh37 chr20 slice")
    slice_parser.add_argument("--region", default="20:1-6000000", help="CONTIG:START-END, 1-based")
    slice_parser.add_argument("--out", type=Path, required=True)
    slice_parser.set_defaults(run=run_reference_slice)
    prepare_parser = commands.add_parser("prepare", help="registry packages -> training arrays")
    prepare_parser.add_argument("--out", type=Path, required=True, help="directory to write")
    prepare_parser.add_argument("--validation", default="20:44000001-46000000")
    prepare_parser.add_argument("--test", default="20:32000001-36000000")
    prepare_parser.add_argument("--window", type=int, default=1000)
    prepare_parser.add_argument("--k", type=int, default=5)
    prepare_parser.set_defaults(run=run_prepare)
    pretrain_parser = commands.add_parser("pretrain", help="masked-k-mer pretraining")
    _add_loop_arguments(pretrain_parser, steps=1500, learning_rate=5e-4)
    pretrain_parser.set_defaults(run=run_pretrain)
    finetune_parser = commands.add_parser("finetune", help="train the chromatin-feature head")
    _add_loop_arguments(finetune_parser, steps=800, learning_rate=5e-4)
    finetune_parser.add_argument("--pretrained", type=Path, help="encoder from pretrain")
    finetune_parser.add_argument("--assembly", default="GRCh37")
    finetune_parser.set_defaults(run=run_finetune)
    evaluate_parser = commands.add_parser("evaluate", help="held-out AUROC/AUPRC per feature")
    evaluate_parser.add_argument("--data", type=Path, required=True)
    evaluate_parser.add_argument("--checkpoint", type=Path, required=True)
    evaluate_parser.add_argument("--report", type=Path, required=True, help="JSON to write")
    evaluate_parser.add_argument("--max-bins", type=int, default=4000)
    evaluate_parser.add_argument("--seed", type=int, default=0)
    evaluate_parser.set_defaults(run=run_evaluate)
    report_parser = commands.add_parser("report", help="held-out report: models, baseline, motifs")
    report_parser.add_argument("--data", type=Path, required=True)
    report_parser.add_argument(
        "--checkpoint",
        action="append",
        required=True,
        help="NAME=PATH; the first is checked on motifs",
    )
    report_parser.add_argument("--out", type=Path, required=True, help="directory for report.*")
    report_parser.add_argument("--max-bins", type=int, default=4000)
    report_parser.add_argument("--baseline-bins", type=int, default=20000)
    report_parser.add_argument("--per-motif", type=int, default=12)
    report_parser.add_argument("--seed", type=int, default=0)
    report_parser.set_defaults(run=run_report)
    background_parser = commands.add_parser(
        "background", help="E-value background quantiles and the prioritiser"
    )
    background_parser.add_argument("--data", type=Path, required=True)
    background_parser.add_argument("--checkpoint", type=Path, required=True)
    background_parser.add_argument("--out", type=Path, required=True, help="directory to write")
    background_parser.add_argument("--per-observed", type=int, default=3)
    background_parser.add_argument("--held-out", default="20:30000001-45000000")
    background_parser.add_argument("--seed", type=int, default=0)
    background_parser.set_defaults(run=run_background_command)
    train_parser = commands.add_parser("train", help="fine-tune on labelled windows")
    train_parser.add_argument("--fasta", type=Path, required=True)
    train_parser.add_argument("--out", type=Path, required=True, help="checkpoint path (.pt)")
    train_parser.add_argument("--test", default="20:3000001-3500000")
    train_parser.add_argument("--validation", default="20:3500001-4000000")
    train_parser.add_argument("--assembly", default="GRCh37")
    train_parser.add_argument("--window", type=int, default=1000)
    train_parser.add_argument("--k", type=int, default=5)
    train_parser.add_argument("--steps", type=int, default=700)
    train_parser.add_argument("--batch-size", type=int, default=32)
    train_parser.add_argument("--seed", type=int, default=0)
    train_parser.set_defaults(run=run_train)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args.run(args)


if __name__ == "__main__":
    main()
