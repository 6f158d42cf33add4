"""The scoring engine's host side alone, per core: what a GPU needs fed.

Times, on one thread and in one run, what runs on the host for SNVs at real positions of the
demo slice, cold cache: normalisation and windows (``core.classify.prepare``), model rows
(``core.effects.variant_rows``: windows -> tokens), the score math on the model's
probabilities (effects, E-values, priority and its rank, result objects) and the output's text
(TSV) — each worker's share in ``logoscore score --processes N`` — and the reading of the VCF.
Then the calling process's whole share of ``--processes 2`` with a model that answers at once
(reading, sending records out, taking scores and text back, serving the slots, writing): the
most variants/s one such process can pass, however fast the GPU. The model call is timed apart,
at the same rows, for scale. A GPU at 20,000 variants/s needs 400,000 rows/s of tokens; a line
says how many cores that takes.

    .venv/bin/python bench/host_side.py [--variants 2000]
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from demo_snvs import demo_snvs

from core.classify import ScorableVariant, prepare
from core.effects import variant_rows
from core.input_limits import ReadLimits
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import Variant
from core.vcf import open_vcf
from service.cli_score import process_chunk
from service.outputs.formats import OutputFormat, result_writer
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary, render
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.model import OnnxModel
from service.scoring.pipeline import CHUNK_VARIANTS
from service.scoring.processes import ProcessScoring
from service.scoring.scores import ScoreValues, VariantScore
from service.selection import result_view
from service.settings import Provider, Settings

GPU_ROWS_PER_SECOND = 400_000
"""20,000 variants/s x 20 rows (2 alleles x 2 strands x 5 frames)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=2000)
    args = parser.parse_args()
    settings = Settings()
    model = OnnxModel(settings.model_dir, Provider.CPU, None, threads=1)
    reference = ReferenceGenome(settings.fasta)
    engine = ScoringEngine(model, reference)
    variants = demo_snvs(reference, args.variants, seed=0)
    spec = model.manifest.window

    started = time.perf_counter()
    prepared = [prepare(v, reference, spec) for v in variants]
    prepare_seconds = time.perf_counter() - started
    scorable = [item for item in prepared if isinstance(item, ScorableVariant)]

    windows = [item.windows for item in scorable]
    variant_rows(windows[:CHUNK_VARIANTS], spec)  # warm-up
    started = time.perf_counter()  # in the pipeline's chunks, as the engine builds them
    for start in range(0, len(windows), CHUNK_VARIANTS):
        variant_rows(windows[start : start + CHUNK_VARIANTS], spec)
    rows_seconds = time.perf_counter() - started
    rows = variant_rows(windows, spec)

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
    values = engine.values(scorable, rows.effects(probabilities))
    math_seconds = time.perf_counter() - started

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
    ]:
        print(
            f"{name:22s} {seconds / len(scorable) * 1e3:7.3f} ms a variant  "
            f"{total / seconds:10,.0f} rows/s per core"
        )
    print(f"model on this CPU, fp32, one thread: {1 / model_seconds_per_row:,.0f} rows/s")
    read_seconds, render_seconds, vcf_seconds, ndjson_seconds = _read_and_render_seconds(
        engine, variants, scorable, values
    )
    for name, seconds in [
        ("render TSV", render_seconds),
        ("render VCF (instead)", vcf_seconds),
        ("render NDJSON (instead)", ndjson_seconds),
        ("read VCF", read_seconds),
    ]:
        print(
            f"{name:22s} {seconds / len(scorable) * 1e3:7.3f} ms a variant  "
            f"{len(scorable) / seconds:10,.0f} variants/s"
        )
    host_seconds += render_seconds
    print(
        f"{'workers share, all':22s} {host_seconds / len(scorable) * 1e3:7.3f} ms a variant  "
        f"{total / host_seconds:10,.0f} rows/s per core (windows, tokens, score math, text)"
    )
    cores = GPU_ROWS_PER_SECOND / (total / host_seconds)
    print(f"cores for {GPU_ROWS_PER_SECOND:,} rows/s (20,000 variants/s): {cores:.1f}")
    caller_seconds = _calling_process_seconds(settings, variants)
    print(
        f"{'calling process':22s} {caller_seconds / len(variants) * 1e3:7.3f} ms a variant  "
        f"{len(variants) / caller_seconds:10,.0f} variants/s at most (--processes 2, TSV)"
    )


def _read_and_render_seconds(
    engine: ScoringEngine,
    variants: list[Variant],
    scorable: list[ScorableVariant],
    values: list[ScoreValues],
) -> tuple[float, float, float, float]:
    """Seconds to read the VCF's records (the calling process of ``logoscore score --processes
    N``, alone) and to render the TSV, the annotated VCF and NDJSON from their scores (given
    here; the workers' share)."""
    with tempfile.TemporaryDirectory() as folder:
        vcf = _write_vcf(Path(folder), variants)
        started = time.perf_counter()
        with open_vcf(vcf, ReadLimits()) as reader:
            records = list(reader.records())
            header = reader.header
        read_seconds = time.perf_counter() - started
    scores = iter(
        VariantScore(variant, Status.SCORED, normalized=item.normalized, values=value)
        for variant, item, value in zip(variants, scorable, values, strict=True)
    )
    scored = [(record, [next(scores) for _ in record.inputs]) for record in records]
    view = result_view(engine.model.manifest, None, None)
    provenance = Provenance.of(engine.model, engine.reference)
    render_seconds = []
    for output in (OutputFormat.TSV, OutputFormat.VCF, OutputFormat.NDJSON):
        writer = result_writer(output, view, provenance, header)
        started = time.perf_counter()
        summary = RunSummary.of(engine.model.manifest)
        text = "".join(render(scored, writer, output, summary, False))
        assert text
        render_seconds.append(time.perf_counter() - started)
    tsv_seconds, vcf_seconds, ndjson_seconds = render_seconds
    return read_seconds, tsv_seconds, vcf_seconds, ndjson_seconds


def _calling_process_seconds(settings: Settings, variants: list[Variant]) -> float:
    """CPU seconds of this process (all its threads) in ``logoscore score --processes 2``'s
    path on ``variants``, its sessions a model that answers at once."""
    engine = open_engine(settings)
    features = len(engine.model.manifest.features)
    instant = OnnxModel(
        settings.model_dir,
        Provider.CPU,
        engine.model.batch_rows,
        runner=lambda rows: np.full((len(rows), features), 0.5, dtype=np.float32),
    )
    view = result_view(engine.model.manifest, None, None)
    provenance = Provenance.of(engine.model, engine.reference)
    with tempfile.TemporaryDirectory() as folder:
        vcf = _write_vcf(Path(folder), variants)
        with open_vcf(vcf, ReadLimits()) as reader, (Path(folder) / "out.tsv").open("w") as out:
            writer = result_writer(OutputFormat.TSV, view, provenance, reader.header)
            pool = ProcessScoring(
                settings, instant, writer, 2, process_chunk(engine), sessions=[lambda: instant]
            )
            summary = RunSummary.of(engine.model.manifest)
            started = time.process_time()
            scored = pool.scored(reader.records())
            for piece in render(scored, pool, OutputFormat.TSV, summary, False):
                out.write(piece)
            return time.process_time() - started


def _write_vcf(folder: Path, variants: list[Variant]) -> Path:
    vcf = folder / "snvs.vcf"
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"20\t{v.pos}\t.\t{v.ref}\t{v.alt}\t.\tPASS\t." for v in variants]
    vcf.write_text("\n".join(lines) + "\n")
    return vcf


if __name__ == "__main__":
    main()
