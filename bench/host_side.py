"""The scoring engine's host side alone, per core: what a GPU needs fed.

Times, on one thread and in one run, the stages of ``ScoringEngine.score`` that run on the host
for SNVs at real positions of the demo slice, cold cache: normalisation and windows
(``core.classify.prepare``), model rows (``core.effects.variant_rows``: windows -> tokens), and
the score math on the model's probabilities (effects, E-values, priority and its rank, result
objects). The model call itself is timed apart, at the same rows, for scale. A GPU at 20,000
variants/s needs 400,000 rows/s of tokens; the last lines say how many cores that takes.

    .venv/bin/python bench/host_side.py [--variants 2000]
"""

import argparse
import os
import platform
import time

import numpy as np

from core.classify import ScorableVariant, prepare
from core.effects import variant_rows
from core.reference import ReferenceGenome
from core.variants import Origin, Variant
from service.scoring.engine import ScoringEngine
from service.scoring.model import OnnxModel
from service.settings import Provider, Settings

GPU_ROWS_PER_SECOND = 400_000
"""20,000 variants/s x 20 rows (2 alleles x 2 strands x 5 frames)."""


def _snvs(reference: ReferenceGenome, count: int, seed: int) -> list[Variant]:
    rng = np.random.default_rng(seed)
    span = reference.spans["20"]
    variants: list[Variant] = []
    while len(variants) < count:
        pos = int(rng.integers(span.start + 1000, span.end - 1000))
        ref = reference.fetch("20", pos - 1, pos)
        if ref == "N":
            continue
        alt = "ACGT"[("ACGT".index(ref) + 1 + len(variants) % 3) % 4]
        variants.append(Variant("20", pos, ref, alt, Origin(record=len(variants))))
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=2000)
    args = parser.parse_args()
    settings = Settings()
    model = OnnxModel(settings.model_dir, Provider.CPU, None, threads=1)
    reference = ReferenceGenome(settings.fasta)
    engine = ScoringEngine(model, reference)
    variants = _snvs(reference, args.variants, seed=0)
    spec = model.manifest.window

    started = time.perf_counter()
    prepared = [prepare(v, reference, spec) for v in variants]
    prepare_seconds = time.perf_counter() - started
    scorable = [item for item in prepared if isinstance(item, ScorableVariant)]

    started = time.perf_counter()
    rows = variant_rows([item.windows for item in scorable], spec)
    rows_seconds = time.perf_counter() - started

    sample = rows.tokens[: model.batch_rows]
    model.predict(sample)  # warm-up
    started = time.perf_counter()
    model.predict(sample)
    model_seconds_per_row = (time.perf_counter() - started) / len(sample)
    probabilities = (
        np.random.default_rng(1)
        .uniform(0.01, 0.99, (len(rows.tokens), len(model.manifest.features)))
        .astype(np.float32)
    )

    started = time.perf_counter()
    _score_math(engine, scorable, probabilities)
    # ``_compute`` builds the rows again before its (replaced) model call: take them out
    math_seconds = time.perf_counter() - started - rows_seconds

    total = len(rows.tokens)
    host_seconds = prepare_seconds + rows_seconds + math_seconds
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"one thread; {len(scorable)} SNVs, {total} rows ({total / len(scorable):.1f} a variant)"
    )
    for name, seconds in [
        ("normalise + windows", prepare_seconds),
        ("windows -> tokens", rows_seconds),
        ("score math", math_seconds),
        ("host side, all", host_seconds),
    ]:
        print(
            f"{name:22s} {seconds / len(scorable) * 1e3:7.3f} ms a variant  "
            f"{total / seconds:10,.0f} rows/s per core"
        )
    print(f"model on this CPU, fp32, one thread: {1 / model_seconds_per_row:,.0f} rows/s")
    cores = GPU_ROWS_PER_SECOND / (total / host_seconds)
    print(f"cores for {GPU_ROWS_PER_SECOND:,} rows/s (20,000 variants/s): {cores:.1f}")


def _score_math(
    engine: ScoringEngine, scorable: list[ScorableVariant], probabilities: np.ndarray
) -> None:
    """``ScoringEngine._compute`` with ``probabilities`` in place of its model call: the
    rows, then the score math."""
    original = engine.model.predict
    engine.model.predict = lambda tokens: probabilities  # type: ignore[method-assign]
    try:
        engine._compute(scorable)
    finally:
        engine.model.predict = original  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
