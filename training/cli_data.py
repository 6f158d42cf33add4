"""The data commands of ``logoscore-train``: ``fetch``, ``reference-slice``, ``demo-inputs`` and
``prepare`` (a genome FASTA and a features table, or DeepSEA's bundle -> a sharded dataset)."""

import argparse
from pathlib import Path

from core.kmers import TOKENIZER_VERSION, TOKENIZERS
from core.regions import parse_region as parse_region_text
from core.windows import FRAME_TAILS, WindowSpec
from training.data.deepsea import import_bundle
from training.data.demo_inputs import write_demo_inputs
from training.data.prepare import HeldOut, PrepareSettings, Region, prepare
from training.data.reference_slice import read_fasta_record, write_slice
from training.data.sources import SOURCES, fetch


def parse_region(text: str) -> Region:
    """``CONTIG:START-END`` (1-based, inclusive) -> 0-based half-open region."""
    contig, start, end = parse_region_text(text)
    return Region(contig=contig, start=start - 1, end=end)


def run_fetch(_: argparse.Namespace) -> None:
    for name, source in SOURCES.items():
        print(f"{name}: {fetch(source)}")


def run_reference_slice(args: argparse.Namespace) -> None:
    contig, start, end = parse_region_text(args.region)  # 1-based inclusive, as the slice's name
    sequence = read_fasta_record(fetch(SOURCES["grch37_chr20"]), contig)
    out = write_slice(sequence, contig, start, end, args.out)
    print(f"{out}: {args.region} ({end - start + 1:,} bp)")


def names_of(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def run_demo_inputs(args: argparse.Namespace) -> None:
    summary = write_demo_inputs(args.out)
    print(f"{summary['features']}: {len(summary['motif_thresholds_bits'])} motifs")


def run_prepare(args: argparse.Namespace) -> None:
    try:
        if args.deepsea_bundle is not None:
            manifest = import_bundle(
                args.deepsea_bundle, args.out, args.k, args.feature_names, args.tokenizer
            )
        else:
            if args.fasta is None or args.features is None:
                raise ValueError("give --fasta and --features, or --deepsea-bundle")
            settings = PrepareSettings(
                spec=WindowSpec(args.window, args.k, args.frame_tail, args.tokenizer),
                bin_size=args.bin_size,
                contigs=names_of(args.contigs),
                validation=HeldOut(
                    names_of(args.validation_contigs),
                    tuple(parse_region(r) for r in args.validation_region or ()),
                ),
                test=HeldOut(
                    names_of(args.test_contigs),
                    tuple(parse_region(r) for r in args.test_region or ()),
                ),
                keep=args.keep,
                negative_share=args.negative_share,
                token_groups=tuple(args.token_group or ()),
                seed=args.seed,
            )
            manifest = prepare(args.fasta, args.features, args.out, settings, args.exclude)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f"logoscore-train prepare: {error}") from error
    windows = {split: value["windows"] for split, value in manifest["splits"].items()}
    print(f"{args.out}: windows {windows}")


def add_data_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    commands.add_parser("fetch", help="download and verify the registry sources").set_defaults(
        run=run_fetch
    )
    cut = commands.add_parser("reference-slice", help="cut a GRCh37 chr20 slice")
    cut.add_argument("--region", default="20:1-6000000", help="CONTIG:START-END, 1-based")
    cut.add_argument("--out", type=Path, required=True)
    cut.set_defaults(run=run_reference_slice)
    demo = commands.add_parser("demo-inputs", help="the demo's genome and features.tsv")
    demo.add_argument("--out", type=Path, required=True, help="directory to write")
    demo.set_defaults(run=run_demo_inputs)
    prep = commands.add_parser(
        "prepare", help="genome + peak files (or DeepSEA's bundle) -> dataset"
    )
    prep.add_argument("--out", type=Path, required=True, help="directory to write")
    prep.add_argument("--fasta", type=Path, help="genome FASTA (plain or bgzip), any assembly")
    prep.add_argument(
        "--features", type=Path, help="FEATURES.tsv: name, group, BED/narrowPeak path, description"
    )
    prep.add_argument("--contigs", help="comma-separated (default: primary chromosomes present)")
    prep.add_argument("--validation-contigs", help="held out for validation, e.g. 7")
    prep.add_argument("--test-contigs", help="held out for test, e.g. 8,9 (as DeepSEA and LOGO)")
    prep.add_argument("--validation-region", action="append", help="CONTIG:START-END, 1-based")
    prep.add_argument("--test-region", action="append", help="CONTIG:START-END, 1-based")
    prep.add_argument("--exclude", type=Path, help="BED of regions to leave out (a blacklist)")
    prep.add_argument("--bin-size", type=int, default=200)
    prep.add_argument("--window", type=int, default=1000)
    prep.add_argument("--k", type=int, default=5)
    prep.add_argument("--frame-tail", choices=FRAME_TAILS, default="reference")
    prep.add_argument(
        "--tokenizer",
        choices=TOKENIZERS,
        default=TOKENIZER_VERSION,
        help="k-mer ids: this project's (with a cls token) or LOGO's own (no cls)",
    )
    prep.add_argument(
        "--keep",
        choices=["all", "peaks"],
        default="all",
        help="all bins, or (as DeepSEA) bins with a peak plus --negative-share of the others",
    )
    prep.add_argument("--negative-share", type=float, default=0.1)
    prep.add_argument(
        "--token-group",
        action="append",
        help="feature group of short intervals (motif hits) kept for the token-level loss",
    )
    prep.add_argument("--seed", type=int, default=0)
    prep.add_argument("--deepsea-bundle", type=Path, help="unpacked deepsea_train directory")
    prep.add_argument("--feature-names", type=Path, help="with --deepsea-bundle: 919 names")
    prep.set_defaults(run=run_prepare)
