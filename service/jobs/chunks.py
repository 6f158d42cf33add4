"""Splitting a job's VCF into chunks, scoring one chunk, and merging the chunks' outputs."""

import logging
from collections.abc import Iterable, Iterator

from core.status import Status, StatusTally
from core.vcf import VcfRecord, parse_record
from service.annotate import scored_records
from service.engine import ScoringEngine
from service.jobs.model import ChunkInput, ChunkOutput, JobRecord
from service.jobs.store import JobStore
from service.outputs.formats import OutputFormat
from service.outputs.provenance import Provenance
from service.outputs.writers import ResultWriter, result_writer
from service.selection import result_view

logger = logging.getLogger(__name__)

STREAMED_FORMATS = (OutputFormat.VCF, OutputFormat.TSV, OutputFormat.NDJSON)


class ModelMismatchError(RuntimeError):
    """A worker serving another model or reference than the job was submitted to."""


def split_records(records: Iterable[VcfRecord], chunk_variants: int) -> Iterator[ChunkInput]:
    """Consecutive records, about ``chunk_variants`` input ALTs a chunk (a record is never
    split), each chunk as soon as it is complete."""
    lines: list[str] = []
    numbers: list[int] = []
    first = 0
    variants = 0
    for record in records:
        if not lines:
            first = record.index
        lines.append(record.text)
        numbers.append(record.line)
        variants += len(record.inputs)
        if variants >= chunk_variants:
            yield ChunkInput(first, lines, numbers, variants)
            lines, numbers, variants = [], [], 0
    if lines:
        yield ChunkInput(first, lines, numbers, variants)


def chunk_records(chunk: ChunkInput) -> list[VcfRecord]:
    return [
        parse_record(text, chunk.first_index + offset, line)
        for offset, (text, line) in enumerate(zip(chunk.lines, chunk.line_numbers, strict=True))
    ]


def writers(
    engine: ScoringEngine, job: JobRecord, header: list[str]
) -> dict[OutputFormat, ResultWriter]:
    view = result_view(engine.model.manifest, job.features, job.top_k)
    provenance = Provenance.of(engine.model, engine.reference)
    return {f: result_writer(f, view, provenance, header) for f in STREAMED_FORMATS}


def check_identity(engine: ScoringEngine, job: JobRecord) -> None:
    """``ModelMismatchError`` unless ``engine`` runs the job's model on the job's reference."""
    model, reference = engine.model.file, engine.reference
    if (model.sha256, reference.identity.digest) != (job.model_sha256, job.reference_digest):
        raise ModelMismatchError(
            f"this worker runs model file {model.sha256[:12]} ({model.precision}) on reference "
            f"{reference.identity.digest}; job {job.id} was submitted to model "
            f"{job.model_sha256[:12]} on reference {job.reference_digest}: run workers with "
            "the API's model, LOGOSCORE_PRECISION and reference FASTA"
        )


def process_chunk(engine: ScoringEngine, store: JobStore, job_id: str, index: int) -> None:
    """Score chunk ``index`` of job ``job_id`` and store its output (idempotent: a retry writes
    the same output under the same index). A deleted job is skipped."""
    job = store.record(job_id)
    if job is None:
        return
    check_identity(engine, job)
    store.mark_started(job_id)
    records = chunk_records(store.chunk(job_id, index))
    formats = writers(engine, job, store.header(job_id))
    texts = dict.fromkeys(formats, "")
    tally = StatusTally()
    left_out: list[int] = []
    for record, scores in scored_records(engine, records):
        for score in scores:
            tally.add(score.status)
        if record.malformed:
            left_out.append(record.line)
        for output_format, writer in formats.items():
            texts[output_format] += writer.record(record, scores)
    counts = {status: count for status, count in tally.summary().items() if count}
    output = ChunkOutput({f.value: t for f, t in texts.items()}, counts, left_out)
    if not store.save_output(job_id, index, output):
        logger.info(
            "job %s was deleted while its chunk %d ran; the chunk's output is dropped",
            job_id,
            index,
        )


def merged_result(
    engine: ScoringEngine,
    job: JobRecord,
    header: list[str],
    outputs: dict[int, ChunkOutput],
    output_format: OutputFormat,
) -> str:
    """The whole result in ``output_format``: chunks in input order between the format's header
    and footer, with the job's status counts and warnings."""
    tally = StatusTally()
    for output in outputs.values():
        for status, count in output.counts.items():
            tally.counts[Status(status)] += count
    warnings = tally.warnings(engine.model.manifest.assembly)
    writer = writers(engine, job, header)[output_format]
    body = "".join(outputs[i].texts[output_format.value] for i in sorted(outputs))
    return writer.header(warnings) + body + writer.footer(tally.summary(), warnings)
