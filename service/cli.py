"""``logoscore``: serve the API, score a VCF offline, or print the OpenAPI document."""

import argparse
import errno
import json
import logging
import sys
import urllib.request
from pathlib import Path

import redis

from core.input_limits import InputLimitError, ReadLimits
from core.regions import parse_region
from core.vcf import VcfReadError, VcfTruncatedError, open_vcf, read_vcf
from service.access import KeyFileError, load_keys
from service.keys import hash_key
from service.outputs.bgzf import open_text_output
from service.outputs.formats import FILE_SUFFIXES, FormatError, format_for_path, result_writer
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary, render
from service.progress import Progress
from service.redis_errors import redis_reply
from service.scoring.engine import open_engine
from service.scoring.pipeline import scored_records
from service.selection import SelectionError, result_view
from service.settings import Settings
from service.warmup import region_snvs, warm


def _settings(args: argparse.Namespace) -> Settings:
    given = (
        ("model_dir", args.model),
        ("fasta", args.fasta),
        ("max_allele_length", getattr(args, "max_allele_length", None)),
    )
    overrides = {key: value for key, value in given if value}
    return Settings(**overrides)


def run_serve(args: argparse.Namespace) -> int:
    from service.main import create_app
    from service.server import serve

    settings = _settings(args)
    if settings.api_keys_file is not None:
        try:
            load_keys(settings.api_keys_file)
        except KeyFileError as error:
            return _fail(str(error), 2, "serve")
    serve(create_app(settings), settings, args.host, args.port)
    return 0


def run_score(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        output_format, bgzipped = format_for_path(args.output)
    except FormatError as error:
        return _fail(str(error), 2)
    engine = open_engine(settings)
    try:
        view = result_view(engine.model.manifest, args.features, args.top_k)
    except SelectionError as error:
        return _fail(str(error), 2)
    provenance = Provenance.of(engine.model, engine.reference)
    summary = RunSummary(engine.model.manifest.assembly)
    progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    limits = ReadLimits(
        max_line_bytes=settings.max_line_bytes, max_header_lines=settings.max_header_lines
    )
    try:
        with open_vcf(args.input, limits) as reader, open_text_output(args.output, bgzipped) as out:
            writer = result_writer(output_format, view, provenance, reader.header)
            scored = scored_records(engine, reader.records())
            pieces = render(scored, writer, output_format, summary, warnings_first=False)
            for records, piece in enumerate(pieces):  # the header, then one piece per record
                out.write(piece)
                if progress is not None:
                    progress.update(records, summary.tally.total, reader.fraction_read())
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return _fail(
                f"{args.output}: {error.strerror}; the output is incomplete: free space (or "
                "write elsewhere) and run again",
                1,
            )
        return _fail(str(error), 1)
    except VcfTruncatedError as error:
        return _fail(f"{error}; {args.output} is incomplete", 1)
    except VcfReadError as error:
        return _fail(str(error), 1)
    except InputLimitError as error:
        setting = f"LOGOSCORE_{error.limit.upper()}"
        return _fail(f"{args.input}: {error} (raise it with {setting})", 1)
    if progress is not None:
        progress.finish()
    tally = summary.tally
    counts = ", ".join(f"{count} {status}" for status, count in tally.summary().items() if count)
    print(f"{tally.total} variants -> {args.output}: {counts or 'none'}", file=sys.stderr)
    for warning in summary.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def run_warm(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.redis_url:
        return _fail("warm-up fills the shared Redis cache: set REDIS_URL", 2, "warm")
    if (args.input is None) == (args.region is None):
        return _fail("give a VCF or --region CHROM:START-END (one of them)", 2, "warm")
    engine = open_engine(settings)
    try:
        if args.region is not None:
            chrom, start, end = parse_region(args.region)
            inputs = region_snvs(engine.reference, chrom, start, end)
        else:
            inputs = read_vcf(args.input)
        counts = warm(engine, inputs)
    except (ValueError, LookupError, OSError) as error:
        return _fail(str(error), 1, "warm")
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    print(f"warmed the cache: {summary or 'nothing to score'}", file=sys.stderr)
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from service.jobs.worker import work

    settings = _settings(args)
    if not settings.redis_url:
        return _fail("a worker takes job chunks from Redis: set REDIS_URL", 2, "worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        work(settings, args.burst)
    except redis.RedisError as error:
        return _fail(
            f"Redis failed under the worker ({redis_reply(error)}); no chunk is lost: one it "
            "held is taken again once Redis is back (start the worker again; a supervisor "
            "restarts it)",
            1,
            "worker",
        )
    return 0


def _fail(message: str, code: int, command: str = "score") -> int:
    print(f"logoscore {command}: {message}", file=sys.stderr)
    return code


def run_hash_key(args: argparse.Namespace) -> int:
    key = sys.stdin.readline().strip()
    if not key:
        return _fail(
            'give the key on stdin, e.g. `printf %s "$KEY" | logoscore hash-key lab`', 2, "hash-key"
        )
    if any(c.isspace() for c in args.name):
        return _fail("a key's name may not contain spaces", 2, "hash-key")
    print(f"{args.name} {hash_key(key)}")
    return 0


def run_probe(args: argparse.Namespace) -> int:
    """Exit 0 when ``/health/ready`` answers ``ready`` (the image's HEALTHCHECK)."""
    try:
        with urllib.request.urlopen(args.url, timeout=args.timeout) as response:
            status = json.loads(response.read()).get("status")
    except (OSError, ValueError) as error:
        return _fail(f"{args.url}: {error}", 1, "probe")
    if status != "ready":
        return _fail(f"{args.url}: status {status!r}", 1, "probe")
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
    score = commands.add_parser(
        "score",
        help="score a VCF offline (streaming, constant memory)",
        description="Score every ALT of a VCF; the output format follows the output's name. "
        "Per-variant statuses never fail the run: the exit status is non-zero only when the "
        "run itself fails (unreadable input, unwritable output, bad options).",
    )
    score.add_argument("input", type=Path, help="VCF or VCF.gz")
    score.add_argument(
        "-o", "--output", type=Path, required=True, help=f"output file: {FILE_SUFFIXES}"
    )
    score.add_argument(
        "--features", nargs="+", help="feature or group names to report (default: all)"
    )
    score.add_argument(
        "--top-k", type=int, help="features per variant in NDJSON and LOGO_TOP (VCF, default 3)"
    )
    score.add_argument(
        "--max-allele-length", type=int, help="longest REF/ALT scored (too_long past it)"
    )
    score.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    for command in (serve, score):
        command.add_argument("--model", type=Path, help="model directory (default: the demo model)")
        command.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    warm_up = commands.add_parser(
        "warm", help="pre-score a VCF, or every SNV of a region, into the Redis cache"
    )
    warm_up.add_argument("input", type=Path, nargs="?", help="VCF or VCF.gz")
    warm_up.add_argument("--region", help="CHROM:START-END, 1-based inclusive: its every SNV")
    warm_up.add_argument("--model", type=Path, help="model directory (default: the demo model)")
    warm_up.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    warm_up.set_defaults(run=run_warm)
    worker = commands.add_parser("worker", help="score batch-job chunks from Redis (RQ)")
    worker.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    worker.add_argument("--model", type=Path, help="model directory (default: the demo model)")
    worker.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    worker.set_defaults(run=run_worker)
    hash_key_command = commands.add_parser(
        "hash-key",
        help="print the LOGOSCORE_API_KEYS_FILE line of a key read on stdin (only its hash)",
    )
    hash_key_command.add_argument("name", help="who the key is for, as logs will name it")
    hash_key_command.set_defaults(run=run_hash_key)
    probe = commands.add_parser(
        "probe", help="exit 0 when the API's /health/ready says ready (container healthcheck)"
    )
    probe.add_argument("--url", default="http://127.0.0.1:8000/health/ready")
    probe.add_argument("--timeout", type=float, default=3.0, help="seconds")
    probe.set_defaults(run=run_probe)
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
