"""Model-only vs end-to-end throughput, measured in one run.

Prints onnxruntime rows/s (one row = one reading frame of one strand of one allele; a variant is
20 rows) and the model-only variants/s that implies; ``logoscore score`` on a VCF of SNVs at
real positions of the demo slice, cold cache (VCF read, normalisation, windows, tokens, model,
score math, TSV written), and its ratio to the model-only rate (the pipeline's overhead); and
the engine's rate with every variant in the cache.

    .venv/bin/python bench/engine_throughput.py [--variants 200]
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from demo_snvs import demo_snvs

from core.reference import ReferenceGenome
from core.variants import Variant
from service import cli
from service.scoring.cache import LruCache
from service.scoring.engine import ScoringEngine
from service.scoring.model import OnnxModel
from service.settings import Settings

REPEATS = 3


def _write_vcf(variants: list[Variant], path: Path) -> None:
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=20>",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    lines += [f"20\t{v.pos}\t.\t{v.ref}\t{v.alt}\t.\tPASS\t." for v in variants]
    path.write_text("\n".join(lines) + "\n")


def _cli_seconds(vcf: Path, out: Path) -> float:
    """``logoscore score VCF -o OUT.tsv`` in this process: model load, read, score, write."""
    started = time.perf_counter()
    try:
        cli.main(["score", str(vcf), "-o", str(out), "--quiet"])
    except SystemExit as done:
        assert done.code == 0, done.code
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    model = OnnxModel(
        settings.model_dir, settings.provider, settings.batch_rows, settings.precision
    )
    reference = ReferenceGenome(settings.fasta)
    variants = demo_snvs(reference, args.variants, seed=0)
    rows = np.random.default_rng(1).integers(4, 3129, size=(args.variants * 20, 201))
    rows[:, 0] = 2
    model.predict(rows[: model.batch_rows])  # warm-up
    model_seconds, cli_seconds = float("inf"), float("inf")
    with tempfile.TemporaryDirectory() as folder:
        vcf, out = Path(folder) / "snvs.vcf", Path(folder) / "scores.tsv"
        _write_vcf(variants, vcf)
        for _ in range(REPEATS):  # alternate the two, keep the best of each
            started = time.perf_counter()
            model.predict(rows)
            model_seconds = min(model_seconds, time.perf_counter() - started)
            cli_seconds = min(cli_seconds, _cli_seconds(vcf, out))
        scored = sum(line.count("\tscored\t") for line in out.read_text().splitlines())
    assert scored == args.variants, scored
    engine = ScoringEngine(model, reference, cache=LruCache(capacity=args.variants))
    engine.score(list(variants))  # fills the cache
    started = time.perf_counter()
    engine.score(list(variants))
    warm_seconds = time.perf_counter() - started
    model_rate = args.variants / model_seconds
    cli_rate = args.variants / cli_seconds
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} CPUs, {model.provider}, {model.file.precision}")
    print(f"model only: {len(rows) / model_seconds:.0f} rows/s = {model_rate:.2f} variants/s")
    print(
        f"logoscore score, cold cache: {cli_rate:.2f} variants/s ({args.variants} SNVs, VCF in, "
        f"TSV out, model load included; best of {REPEATS})"
    )
    print(f"end to end / model only: {cli_rate / model_rate:.3f}")
    print(
        f"engine, warm cache (every variant a hit): {args.variants / warm_seconds:.0f} variants/s"
    )


if __name__ == "__main__":
    main()
