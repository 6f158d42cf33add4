"""``logoscore``: serve the API, score a VCF offline (with its report), draw pictures, or print
the OpenAPI document."""

import argparse
import json
import logging
import sys
import urllib.request
from pathlib import Path

import redis

from core.manifest import load_manifest
from core.regions import parse_region
from core.vcf import read_vcf
from core.version import logoscore_version
from service import cli_score
from service.access import KeyFileError, load_keys
from service.cli_pictures import add_picture_commands
from service.cli_score import fail
from service.cli_submit import add_submit_command
from service.keys import hash_key
from service.outputs.formats import FILE_SUFFIXES, RECORD_FORMATS
from service.scoring.engine import open_engine
from service.settings import Settings
from service.warmup import region_snvs, warm


def _settings(args: argparse.Namespace) -> Settings:
    given = (
        ("model_dir", args.model),
        ("fasta", getattr(args, "fasta", None)),
        ("max_allele_length", getattr(args, "max_allele_length", None)),
        ("threads", getattr(args, "threads", None)),
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
            return fail(str(error), 2, "serve")
    serve(create_app(settings), settings, args.host, args.port)
    return 0


def run_score(args: argparse.Namespace) -> int:
    return cli_score.run_score(args, _settings(args))


def run_features(args: argparse.Namespace) -> int:
    """The model's features, one per line: name, group and description, tab-separated."""
    manifest = load_manifest(_settings(args).model_dir)
    print("name\tgroup\tdescription")
    for feature in manifest.features:
        print(f"{feature.name}\t{feature.group}\t{feature.description}")
    return 0


def run_warm(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.redis_url:
        return fail("warm-up fills the shared Redis cache: set REDIS_URL", 2, "warm")
    if (args.input is None) == (args.region is None):
        return fail("give a VCF or --region CHROM:START-END (one of them)", 2, "warm")
    engine = open_engine(settings)
    try:
        if args.region is not None:
            chrom, start, end = parse_region(args.region)
            inputs = region_snvs(engine.reference, chrom, start, end)
        else:
            inputs = read_vcf(args.input)
        counts = warm(engine, inputs)
    except (ValueError, LookupError, OSError) as error:
        return fail(str(error), 1, "warm")
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    print(f"warmed the cache: {summary or 'nothing to score'}", file=sys.stderr)
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from service.jobs.worker import LOG_FORMAT, redis_failure, work
    from service.jobs.worker_group import work_group
    from service.scoring.shared_session import SharedMemoryError

    settings = _settings(args)
    if not settings.redis_url:
        return fail("a worker takes job chunks from Redis: set REDIS_URL", 2, "worker")
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        if args.processes == 1:
            work(settings, args.burst)
        elif not work_group(settings, args.burst, args.processes):
            return fail(
                "a worker process ended unasked (its error is above); the others were stopped: "
                "start the worker again (a supervisor restarts it)",
                1,
                "worker",
            )
    except redis.RedisError as error:
        return fail(redis_failure(error), 1, "worker")
    except SharedMemoryError as error:
        return fail(str(error), 1, "worker")
    return 0


def run_hash_key(args: argparse.Namespace) -> int:
    key = sys.stdin.readline().strip()
    if not key:
        return fail(
            'give the key on stdin, e.g. `printf %s "$KEY" | logoscore hash-key lab`', 2, "hash-key"
        )
    if any(c.isspace() for c in args.name):
        return fail("a key's name may not contain spaces", 2, "hash-key")
    print(f"{args.name} {hash_key(key)}")
    return 0


def run_probe(args: argparse.Namespace) -> int:
    """Exit 0 when ``/health/ready`` answers ``ready`` (the image's HEALTHCHECK)."""
    try:
        with urllib.request.urlopen(args.url, timeout=args.timeout) as response:
            status = json.loads(response.read()).get("status")
    except (OSError, ValueError) as error:
        return fail(f"{args.url}: {error}", 1, "probe")
    if status != "ready":
        return fail(f"{args.url}: status {status!r}", 1, "probe")
    return 0


def run_openapi(_: argparse.Namespace) -> int:
    from service.main import create_app

    print(json.dumps(create_app().openapi(), indent=2))
    return 0


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logoscore", description="Score non-coding variants with LOGO."
    )
    parser.add_argument("--version", action="version", version=f"logoscore {logoscore_version()}")
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
        "The output appears only when the run succeeds. Exit status: 0 done, 1 the run "
        "failed, 2 bad options, 3 --strict or --min-scored not met (output kept).",
    )
    score.add_argument("input", type=Path, help="VCF or VCF.gz")
    score.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help=f"output file: {FILE_SUFFIXES}; - for stdout",
    )
    score.add_argument(
        "--format",
        choices=[f.value for f in RECORD_FORMATS],
        help="output format (default: from the output's name; VCF on stdout)",
    )
    score.add_argument(
        "--features",
        type=_names,
        action="extend",
        help="feature or group names to report, comma-separated or repeated (default: all; "
        "`logoscore features` lists them)",
    )
    score.add_argument(
        "--top-k",
        type=_positive,
        help="features per variant in NDJSON and LOGO_TOP (VCF, default 3)",
    )
    score.add_argument(
        "--strict", action="store_true", help="exit 3 when the run warns (e.g. wrong assembly)"
    )
    score.add_argument(
        "--min-scored",
        type=_share,
        metavar="SHARE",
        help="exit 3 when fewer than this share (0-1) of the variants are scored",
    )
    score.add_argument(
        "--max-allele-length", type=int, help="longest REF/ALT scored (too_long past it)"
    )
    score.add_argument(
        "--report",
        type=Path,
        metavar="HTML",
        help="also write the run's report: one self-contained HTML page",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    score.add_argument(
        "--processes",
        type=_positive,
        default=1,
        help="worker processes for the host side (windows, tokens, score math, text), their model "
        "calls run by this process's sessions (LOGOSCORE_MODEL_SESSIONS): for a GPU, whose model "
        "calls outpace one core's host side (default: 1, all in this process)",
    )
    for command in (serve, score):
        command.add_argument("--model", type=Path, help="model directory (default: the demo model)")
        command.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
        command.add_argument(
            "--threads", type=_positive, help="CPU threads per model call (default: every core)"
        )
    warm_up = commands.add_parser(
        "warm", help="pre-score a VCF, or every SNV of a region, into the Redis cache"
    )
    warm_up.add_argument("input", type=Path, nargs="?", help="VCF or VCF.gz")
    warm_up.add_argument("--region", help="CHROM:START-END, 1-based inclusive: its every SNV")
    warm_up.add_argument("--model", type=Path, help="model directory (default: the demo model)")
    warm_up.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    warm_up.set_defaults(run=run_warm)
    features = commands.add_parser("features", help="list the model's features and groups")
    features.add_argument("--model", type=Path, help="model directory (default: the demo model)")
    features.set_defaults(run=run_features)
    worker = commands.add_parser("worker", help="score batch-job chunks from Redis (RQ)")
    worker.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    worker.add_argument("--model", type=Path, help="model directory (default: the demo model)")
    worker.add_argument("--fasta", type=Path, help="reference FASTA (default: the demo slice)")
    worker.add_argument(
        "--threads", type=_positive, help="CPU threads per model call (default: every core)"
    )
    worker.add_argument(
        "--processes",
        type=_positive,
        default=1,
        help="RQ worker processes doing the host side of their chunks, their model calls run by "
        "this process's sessions (LOGOSCORE_MODEL_SESSIONS): one worker per GPU, whose model "
        "calls outpace one core's host side (default: 1, all in this process)",
    )
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
    add_submit_command(commands)
    add_picture_commands(commands, _settings)
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
