"""``logoscore``: serve the API, score a VCF offline, or print the OpenAPI document."""

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from core.reference import ReferenceGenome
from core.variants import ParsedInput
from core.vcf import VcfReadError, read_vcf
from service.engine import ScoringEngine, VariantScore
from service.model import OnnxModel
from service.settings import Settings
from service.tsv_output import tsv_header, write_tsv

CHUNK_VARIANTS = 256


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value for key, value in (("model_dir", args.model), ("fasta", args.fasta)) if value
    }
    return Settings(**overrides)


def _chunks(items: Iterator[ParsedInput], size: int) -> Iterator[list[ParsedInput]]:
    while chunk := list(islice(items, size)):
        yield chunk


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.main import create_app

    uvicorn.run(create_app(_settings(args)), host=args.host, port=args.port, log_level="info")
    return 0


def run_score(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.output.suffix != ".tsv":
        print(
            f"logoscore score: {args.output} must end in .tsv (the only output format so far)",
            file=sys.stderr,
        )
        return 2
    engine = ScoringEngine(
        OnnxModel(settings.model_dir, settings.provider, settings.batch_rows),
        ReferenceGenome(settings.fasta),
    )
    names = engine.model.manifest.feature_names
    statuses: Counter[str] = Counter()
    try:
        with args.output.open("w") as out:
            out.write(tsv_header(names))
            for chunk in _chunks(read_vcf(args.input), CHUNK_VARIANTS):
                scores: list[VariantScore] = engine.score(chunk)
                statuses.update(score.status.value for score in scores)
                write_tsv(scores, names, out)
    except VcfReadError as error:
        print(f"logoscore score: {error}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    print(
        f"{sum(statuses.values())} variants -> {args.output}: {summary or 'none'}", file=sys.stderr
    )
    return 0


def run_openapi(_: argparse.Namespace) -> int:
    from service.main import create_app

    print(json.dumps(create_app().openapi(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logoscore", description="Score non-coding variants with LOGO."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="run the HTTP API (demo model and reference by default)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    score = commands.add_parser("score", help="score a VCF offline into a TSV")
    score.add_argument("input", type=Path, help="VCF or VCF.gz")
    score.add_argument("-o", "--output", type=Path, required=True, help="OUT.tsv")
    for command in (serve, score):
        command.add_argument("--model", type=Path, help="model directory (default: the demo model)")
        command.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    commands.add_parser("openapi", help="print the OpenAPI document")
    serve.set_defaults(run=run_serve)
    score.set_defaults(run=run_score)
    commands.choices["openapi"].set_defaults(run=run_openapi)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.run(args))


if __name__ == "__main__":
    main()
