"""``logoscore-train``'s training commands: from registry packages to a model directory the
service loads unchanged (``model_export.train_cli`` adds ``import-logo`` and
``evaluate-variants`` and is the installed command; ``python -m training.cli`` has these only).

A lab trains on its own genome and peak files with the same commands (README, "Train on your
own data"): ``prepare --fasta GENOME.fa --features FEATURES.tsv --test-contigs 8,9 ...``, then
``pretrain``/``finetune`` (``--device cuda``; several GPUs or machines with ``torchrun``), then
export. The demo model is one instance of that path, rebuilt by this sequence (``make -j2
demo-model`` runs it; pretraining and fine-tuning with ``OMP_NUM_THREADS=1``, so that the
weights do not depend on the core count):

    logoscore-train demo-inputs --out artifacts/demo-inputs
    logoscore-train prepare    --fasta artifacts/demo-inputs/GRCh37_chr20.fa \\
                               --features artifacts/demo-inputs/features.tsv \\
                               --validation-region 20:44000001-46000000 \\
                               --test-region 20:50000001-54000000 --token-group tf_motif \\
                               --out artifacts/chr20
    logoscore-train pretrain   --data artifacts/chr20 --out artifacts/pretrained.pt
    logoscore-train finetune   --data artifacts/chr20 --out artifacts/finetuned.pt \\
                               --pretrained artifacts/pretrained.pt
    logoscore-train finetune   --data artifacts/chr20 --out artifacts/scratch.pt
    logoscore-train refit-head --data artifacts/chr20 --checkpoint artifacts/finetuned.pt \\
                               --out artifacts/logo.pt
    logoscore-train refit-head --data artifacts/chr20 --checkpoint artifacts/scratch.pt \\
                               --out artifacts/logo_scratch.pt
    logoscore-train report     --data artifacts/chr20 --out artifacts/report \\
                               --checkpoint logo_pretrained=artifacts/logo.pt \\
                               --checkpoint logo_scratch=artifacts/logo_scratch.pt
    logoscore-train background --data artifacts/chr20 --checkpoint artifacts/logo.pt \\
                               --out artifacts/extras
    python -m model_export.cli --checkpoint artifacts/logo.pt --extras artifacts/extras \\
                               --report artifacts/report/report.json --fasta FASTA \\
                               --out models/demo --version 0.5.0
    python -m training.heldout_evaluation --model-dir models/demo --data artifacts/chr20
    python -m model_export.model_card --model-dir models/demo

The training recipe is the commands' defaults (``PRETRAIN_RECIPE``, ``FINETUNE_RECIPE``).
``fetch`` downloads and verifies every source; ``reference-slice`` cuts the bundled reference.
Long steps show a progress bar on a terminal (log lines otherwise), write their state every
200 steps and continue from it with ``--resume``; everything is seeded.
"""

import argparse
import logging
from pathlib import Path
from typing import Any

from core.kmers import TOKENIZER_VERSION, TOKENIZERS
from core.reference import ReferenceGenome
from core.windows import FRAME_TAILS, WindowSpec
from training.cli_data import add_data_commands, names_of, parse_region
from training.data.prepare import select_contigs
from training.finetune import FinetuneSettings
from training.head_refit import REFIT_GROUPS, HeadRefitSettings
from training.loop import LoopSettings
from training.model import LogoConfig
from training.pipeline import (
    run_background,
    run_evaluation,
    run_finetuning,
    run_head_refit,
    run_pretraining,
    write_json,
)
from training.report import build_report, report_markdown

PRETRAIN_RECIPE = LoopSettings(steps=3000, learning_rate=5e-4, warmup_steps=300, linear_decay=True)
FINETUNE_RECIPE = LoopSettings(steps=14000, learning_rate=1e-3, warmup_steps=500, linear_decay=True)
"""The demo model's training recipe: the commands' defaults (batch 32, seed 0)."""


def loop_settings(args: argparse.Namespace) -> LoopSettings:
    return LoopSettings(
        steps=args.steps,
        learning_rate=args.learning_rate,
        warmup_steps=args.warmup_steps,
        seed=args.seed,
        linear_decay=args.schedule == "linear-decay",
        accumulate=args.accumulate,
        validate_every=args.validate_every,
        patience=args.patience,
        workers=args.workers,
        device=args.device,
        checkpoint_every=args.checkpoint_every,
    )


MODEL_SHAPE = ("embedding_dim", "hidden_dim", "heads", "ffn_dim", "block_applications")
"""The sizes of ``LogoConfig`` a training command can choose (LOGO's by default)."""


def model_shape(args: argparse.Namespace) -> dict[str, Any]:
    shape = {name: getattr(args, name) for name in MODEL_SHAPE}
    return {**shape, "norm_eps": args.norm_eps, "shared_blocks": not args.unshared_blocks}


def run_pretrain(args: argparse.Namespace) -> None:
    settings = loop_settings(args)
    genome = None
    if args.fasta is not None:
        reference = ReferenceGenome(args.fasta)
        contigs = tuple(select_contigs(reference, names_of(args.contigs)))
        spec = WindowSpec(args.window, args.k, args.frame_tail, args.tokenizer)
        genome = (args.fasta, contigs, spec)
    elif args.data is None:
        raise SystemExit("logoscore-train pretrain: give --data (a prepared dataset) or --fasta")
    summary = run_pretraining(
        args.data, args.out, settings, args.batch_size, args.resume, genome, model_shape(args)
    )
    print(f"{args.out}: {summary['history']} in {summary['seconds']} s")


def run_finetune(args: argparse.Namespace) -> None:
    settings = FinetuneSettings(
        loop_settings(args),
        args.batch_size,
        positive_fraction=args.positive_fraction,
        motif_token_weight=args.motif_token_weight,
    )
    summary = run_finetuning(
        args.data,
        args.out,
        settings,
        args.pretrained,
        args.assembly,
        args.resume,
        model_shape(args),
    )
    print(f"parameters: {summary['parameters']:,}")
    print(f"{args.out}: {summary['history']} in {summary['seconds']} s")


def refit_settings(args: argparse.Namespace) -> HeadRefitSettings:
    return HeadRefitSettings(tuple(args.group or REFIT_GROUPS), args.bins, args.seed)


def run_refit_head(args: argparse.Namespace) -> None:
    summary = run_head_refit(args.data, args.checkpoint, args.out, refit_settings(args))
    print(f"{args.out}: refitted {summary['features']} on {summary['bins']} bins")


def run_evaluate(args: argparse.Namespace) -> None:
    report = run_evaluation(args.data, args.checkpoint, args.max_bins)
    write_json(args.report, report)
    print(f"{args.report}: median per group {report['groups']}")


def run_report(args: argparse.Namespace) -> None:
    checkpoints = {name: Path(path) for name, path in (c.split("=", 1) for c in args.checkpoint)}
    report = build_report(
        args.data, checkpoints, args.max_bins, args.baseline_bins, args.per_motif, args.seed
    )
    write_json(args.out / "report.json", report)
    (args.out / "report.md").write_text(report_markdown(report))
    print(f"{args.out}/report.md: motif check AUROC {report['motif_check']['pooled_auroc']}")
    for name, metrics in report["models"].items():
        print(f"{name}: {metrics['groups']}")


def run_background_command(args: argparse.Namespace) -> None:
    held_out = parse_region(args.held_out)
    try:
        summary = run_background(
            args.data,
            args.fasta,
            args.checkpoint,
            args.out,
            args.per_observed,
            (held_out.start + 1, held_out.end),
            args.seed,
        )
    except ValueError as error:
        raise SystemExit(f"logoscore-train background: {error}") from error
    print(f"{args.out}: {summary}")


def _loop_parser(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    help_text: str,
    defaults: LoopSettings,
) -> argparse.ArgumentParser:
    """A training command whose defaults are ``defaults``: the recipe of the shipped model."""
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument(
        "--data", type=Path, required=name != "pretrain", help="directory written by prepare"
    )
    parser.add_argument("--out", type=Path, required=True, help="checkpoint to write (.pt)")
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument(
        "--warmup-steps",
        type=int,
        default=defaults.warmup_steps,
        help="learning-rate warm-up, linear from 0",
    )
    parser.add_argument(
        "--schedule",
        choices=["linear-decay", "constant"],
        default="linear-decay" if defaults.linear_decay else "constant",
        help="after warm-up: decay the learning rate linearly to 0 at --steps, or keep it",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true", help="continue from OUT's .state.pt")
    parser.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="auto: CUDA when torch sees a GPU (under torchrun: the GPU of the local rank)",
    )
    parser.add_argument("--accumulate", type=int, default=1, help="micro-batches per step")
    parser.add_argument("--workers", type=int, default=0, help="data-loader worker processes")
    parser.add_argument(
        "--validate-every",
        type=int,
        default=0,
        help="steps between validations on the validation split (0: at the end only); the "
        "best weights are kept",
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=0,
        help="stop after this many validations without improvement (0: never)",
    )
    parser.add_argument("--checkpoint-every", type=int, default=200, help="steps between states")
    shape = parser.add_argument_group("model size (LOGO's by default; taken from --pretrained)")
    for name in MODEL_SHAPE:
        default = LogoConfig.__dataclass_fields__[name].default
        shape.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    shape.add_argument(
        "--norm-eps",
        type=float,
        default=LogoConfig.__dataclass_fields__["norm_eps"].default,
        help="layer-norm epsilon (LOGO's models: 1e-12)",
    )
    shape.add_argument(
        "--unshared-blocks",
        action="store_true",
        help="BERT: a block of its own per application (default: ALBERT, one shared block)",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logoscore-train", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add_data_commands(commands)
    pre = _loop_parser(commands, "pretrain", "masked-k-mer pretraining", PRETRAIN_RECIPE)
    pre.add_argument("--fasta", type=Path, help="sample windows from this whole genome")
    pre.add_argument("--contigs", help="with --fasta: comma-separated (default: primary)")
    pre.add_argument("--window", type=int, default=1000)
    pre.add_argument("--k", type=int, default=5)
    pre.add_argument("--frame-tail", choices=FRAME_TAILS, default="reference")
    pre.add_argument("--tokenizer", choices=TOKENIZERS, default=TOKENIZER_VERSION)
    pre.set_defaults(run=run_pretrain)
    tune = _loop_parser(commands, "finetune", "train the chromatin-feature head", FINETUNE_RECIPE)
    tune.add_argument("--pretrained", type=Path, help="encoder written by pretrain")
    tune.add_argument(
        "--motif-token-weight",
        type=float,
        default=1.0,
        help="weight of the token-level motif loss (0: bin labels only)",
    )
    tune.add_argument(
        "--positive-fraction",
        type=float,
        default=0.5,
        help="share of each batch drawn feature by feature (0: uniform)",
    )
    tune.add_argument("--assembly", default="GRCh37")
    tune.set_defaults(run=run_finetune)
    refit = commands.add_parser(
        "refit-head", help="refit a feature group's head on [cls, mean] (frozen encoder)"
    )
    refit.add_argument("--data", type=Path, required=True)
    refit.add_argument("--checkpoint", type=Path, required=True, help="written by finetune")
    refit.add_argument("--out", type=Path, required=True, help="checkpoint to write (.pt)")
    refit.add_argument(
        "--group",
        action="append",
        help=f"feature group to refit (repeatable; default: {', '.join(REFIT_GROUPS)})",
    )
    refit.add_argument("--bins", type=int, default=HeadRefitSettings.bins)
    refit.add_argument("--seed", type=int, default=0)
    refit.set_defaults(run=run_refit_head)
    evaluate = commands.add_parser("evaluate", help="held-out AUROC/AUPRC per feature")
    evaluate.add_argument("--data", type=Path, required=True)
    evaluate.add_argument("--checkpoint", type=Path, required=True)
    evaluate.add_argument("--report", type=Path, required=True, help="JSON to write")
    evaluate.add_argument("--max-bins", type=int, default=5000)
    evaluate.set_defaults(run=run_evaluate)
    report = commands.add_parser("report", help="held-out report: models, baseline, motifs")
    report.add_argument("--data", type=Path, required=True)
    report.add_argument(
        "--checkpoint", action="append", required=True, help="NAME=PATH; the first one is shipped"
    )
    report.add_argument("--out", type=Path, required=True, help="directory for report.*")
    report.add_argument("--max-bins", type=int, default=5000)
    report.add_argument("--baseline-bins", type=int, default=20000)
    report.add_argument("--per-motif", type=int, default=12)
    report.add_argument("--seed", type=int, default=0)
    report.set_defaults(run=run_report)
    background = commands.add_parser("background", help="E-value background and prioritiser")
    genome = background.add_mutually_exclusive_group(required=True)
    genome.add_argument("--data", type=Path, help="the prepared dataset the model trained on")
    genome.add_argument("--fasta", type=Path, help="or the model's genome (imported models)")
    background.add_argument("--checkpoint", type=Path, required=True)
    background.add_argument("--out", type=Path, required=True, help="directory to write")
    background.add_argument("--per-observed", type=int, default=3)
    background.add_argument("--held-out", default="20:30000001-45000000")
    background.add_argument("--seed", type=int, default=0)
    background.set_defaults(run=run_background_command)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args.run(args)


if __name__ == "__main__":
    main()
