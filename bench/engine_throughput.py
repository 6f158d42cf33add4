"""Model-only vs end-to-end throughput of the scoring engine, measured in one run.

Prints onnxruntime rows/s (one row = one reading frame of one strand of one allele; a variant is
20 rows), the model-only variants/s that implies, the engine's variants/s on real-position SNVs
of the demo slice, and their ratio (the pipeline's overhead).

    .venv/bin/python bench/engine_throughput.py [--variants 200]
"""

import argparse
import os
import platform
import time

import numpy as np

from core.reference import ReferenceGenome
from core.variants import Origin, Variant
from service.engine import ScoringEngine
from service.model import OnnxModel
from service.settings import Settings

REPEATS = 3


def _snvs(reference: ReferenceGenome, count: int, seed: int) -> list[Variant]:
    rng = np.random.default_rng(seed)
    span = reference.spans["20"]
    variants: list[Variant] = []
    while len(variants) < count:
        pos = int(rng.integers(span.start + 1000, span.end - 1000))
        ref = reference.fetch("20", pos - 1, pos)
        if ref == "N":
            continue
        alt = "ACGT"[("ACGT".index(ref) + 1) % 4]
        variants.append(Variant("20", pos, ref, alt, Origin(record=len(variants))))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=200)
    args = parser.parse_args()
    settings = Settings()
    model = OnnxModel(
        settings.model_dir, settings.provider, settings.batch_rows, settings.precision
    )
    reference = ReferenceGenome(settings.fasta)
    engine = ScoringEngine(model, reference)
    variants = _snvs(reference, args.variants, seed=0)
    rows = np.random.default_rng(1).integers(4, 3129, size=(args.variants * 20, 201))
    rows[:, 0] = 2
    model.predict(rows[: model.batch_rows])  # warm-up
    model_seconds, engine_seconds = float("inf"), float("inf")
    for _ in range(REPEATS):  # alternate the two, keep the best of each
        started = time.perf_counter()
        model.predict(rows)
        model_seconds = min(model_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        scores = engine.score(list(variants))
        engine_seconds = min(engine_seconds, time.perf_counter() - started)
    assert all(score.status.value == "scored" for score in scores)
    model_rate = args.variants / model_seconds
    engine_rate = args.variants / engine_seconds
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} CPUs, {model.provider}")
    print(f"model only: {len(rows) / model_seconds:.0f} rows/s = {model_rate:.2f} variants/s")
    print(
        f"engine end to end: {engine_rate:.2f} variants/s ({args.variants} SNVs, best of {REPEATS})"
    )
    print(f"end to end / model only: {engine_rate / model_rate:.3f}")


if __name__ == "__main__":
    main()
