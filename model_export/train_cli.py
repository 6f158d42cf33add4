"""``logoscore-train``: the training commands (``training.cli``) and those that write or evaluate
model directories, which live here because they export (``model_export`` may use ``training``,
never the other way round):

    logoscore-train import-logo WEIGHTS.hdf5 --features NAMES.txt --out DIR
    logoscore-train evaluate-variants --model-dir DIR --fasta REF --variants LABELLED.vcf
"""

import argparse
import logging
from pathlib import Path

from model_export.keras_weights import KerasFileError
from model_export.logo_import import ImportSettings, import_logo
from model_export.logo_layout import LogoLayoutError
from model_export.variant_evaluation import LabelRule, evaluation_markdown, score_labelled
from training.cli import build_parser
from training.data.feature_table import FeatureTableError


def run_import_logo(args: argparse.Namespace) -> None:
    settings = ImportSettings(
        heads=args.heads,
        layers=args.layers,
        window=args.window,
        assembly=args.assembly,
        parity_variants=args.parity_variants,
    )
    out: Path = args.out
    try:
        written = import_logo(
            args.weights,
            args.features,
            out,
            args.fasta,
            settings,
            args.checkpoint or out.with_suffix(".pt"),
            args.name or args.weights.stem,
        )
    except (KerasFileError, LogoLayoutError, FeatureTableError, ValueError) as error:
        raise SystemExit(f"logoscore-train import-logo: {error}") from error
    print(f"{written}: imported from {args.weights.name}")


def run_evaluate_variants(args: argparse.Namespace) -> None:
    try:
        rule = LabelRule(args.label_info, args.positive_prefix, args.negative_prefix)
        manifest, scored = score_labelled(args.model_dir, args.fasta, args.variants, rule)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"logoscore-train evaluate-variants: {error}") from error
    table = evaluation_markdown(
        manifest, scored, args.variants, args.fasta, rule, args.bootstrap, args.seed
    )
    if args.out is not None:
        args.out.write_text(table)
    print(table, end="")


def add_model_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    logo = commands.add_parser(
        "import-logo", help="LOGO's published Keras HDF5 weights as a model directory"
    )
    logo.add_argument("weights", type=Path, help="LOGO's .hdf5 file (melobio/LOGO)")
    logo.add_argument(
        "--features", type=Path, help="one feature name per line (NAME or NAME<TAB>GROUP)"
    )
    logo.add_argument(
        "--out", type=Path, required=True, help="model directory (pretrained: gets encoder.pt)"
    )
    logo.add_argument(
        "--fasta",
        type=Path,
        required=True,
        help="reference of the model's assembly, for the ONNX parity windows",
    )
    logo.add_argument("--checkpoint", type=Path, help="torch checkpoint (default: OUT.pt)")
    logo.add_argument("--name", help="model name (default: the file's name)")
    logo.add_argument("--assembly", default=ImportSettings.assembly)
    logo.add_argument("--heads", type=int, default=ImportSettings.heads)
    logo.add_argument(
        "--layers", type=int, default=ImportSettings.layers, help="ALBERT's block applications"
    )
    logo.add_argument("--window", type=int, default=ImportSettings.window)
    logo.add_argument(
        "--parity-variants",
        type=int,
        default=ImportSettings.parity_variants,
        help="SNVs comparing the int8 and fp16 copies with fp32",
    )
    logo.set_defaults(run=run_import_logo)
    evaluate = commands.add_parser(
        "evaluate-variants", help="AUROC and AUPRC of a model directory on labelled variants"
    )
    evaluate.add_argument("--model-dir", type=Path, required=True)
    evaluate.add_argument("--fasta", type=Path, required=True, help="the model's assembly")
    evaluate.add_argument("--variants", type=Path, required=True, help="labelled VCF (.gz)")
    evaluate.add_argument("--label-info", help="INFO key holding 1/0, true/false, ...")
    evaluate.add_argument("--positive-prefix", help="IDs of positive variants start with this")
    evaluate.add_argument("--negative-prefix", help="IDs of negative variants start with this")
    evaluate.add_argument("--bootstrap", type=int, default=1000, help="resamples for intervals")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out", type=Path, help="also write the Markdown table here")
    evaluate.set_defaults(run=run_evaluate_variants)


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    add_model_commands(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args.run(args)


if __name__ == "__main__":
    main()
