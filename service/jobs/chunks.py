"""Splitting a job's VCF into chunks, scoring one chunk, and rendering the job's result.

A chunk (``LOGOSCORE_JOB_CHUNK_VARIANTS`` input ALTs) is the unit a worker takes and RQ retries;
its scores are stored once, without any format, and the result is rendered from them in the
format asked for (``service.outputs.render``), exactly as ``POST /score/vcf`` renders direct scores.
"""

import logging
from collections.abc import Iterable, Iterator

from core.vcf import VcfRecord, parse_record
from service.jobs.ism import ism_chunk_scores
from service.jobs.records import ChunkInput, ChunkOutput, JobRecord
from service.jobs.store import JobStore
from service.outputs.formats import OutputFormat, result_writer
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary, ScoredRecord, render_twice
from service.scoring.engine import ScoringEngine
from service.scoring.model import ModelFile
from service.scoring.pipeline import batches, scored_records
from service.scoring.scores import VariantScore
from service.selection import result_view

logger = logging.getLogger(__name__)


class ModelMismatchError(RuntimeError):
    """A worker serving another model or reference than the job was submitted to."""


def split_records(records: Iterable[VcfRecord], chunk_variants: int) -> Iterator[ChunkInput]:
    """Consecutive records, about ``chunk_variants`` input ALTs a chunk (a record is never
    split), each chunk as soon as it is complete."""
    for batch in batches(records, chunk_variants):
        yield ChunkInput(
            first_index=batch[0].index,
            lines=[record.text for record in batch],
            line_numbers=[record.line for record in batch],
            variants=sum(len(record.inputs) for record in batch),
        )


def chunk_records(chunk: ChunkInput) -> list[VcfRecord]:
    return [
        parse_record(text, chunk.first_index + offset, line)
        for offset, (text, line) in enumerate(zip(chunk.lines, chunk.line_numbers, strict=True))
    ]


def job_model(engine: ScoringEngine, job: JobRecord) -> ModelFile:
    """The model file that scores ``job`` (its record's; the engine's for older records)."""
    if job.model_precision is None or job.model_graph is None:
        return engine.model.file
    sha256 = job.model_sha256[:64]
    file = next((c.file for c in engine.model.manifest.copies if c.sha256 == sha256), "")
    return ModelFile(job.model_precision, file, sha256, graph=job.model_graph)


def job_provenance(engine: ScoringEngine, job: JobRecord) -> Provenance:
    """The model file that scored ``job`` and the reference, for its result and report."""
    return Provenance.of(engine.model, engine.reference, job_model(engine, job))


def check_identity(engine: ScoringEngine, job: JobRecord) -> None:
    """``ModelMismatchError`` unless ``engine`` runs the job's model on the job's reference."""
    model, reference = engine.model.file, engine.reference
    if (model.run_id, reference.identity.digest) != (job.model_sha256, job.reference_digest):
        raise ModelMismatchError(
            f"this worker runs model file {model.sha256[:12]} ({model.label}) on reference "
            f"{reference.identity.digest}; job {job.id} was submitted to model "
            f"{job.model_sha256[:12]} on reference {job.reference_digest}: run workers with "
            "the API's model, LOGOSCORE_PROVIDER, LOGOSCORE_PRECISION and reference FASTA"
        )


def process_chunk(engine: ScoringEngine, store: JobStore, job_id: str, index: int) -> None:
    """Score chunk ``index`` of job ``job_id`` and store its scores (idempotent: a retry writes
    the same output under the same index). A deleted job is skipped."""
    job = store.record(job_id)
    if job is None:
        return
    check_identity(engine, job)
    store.mark_started(job_id)
    records = chunk_records(store.chunk(job_id, index))
    if job.region is not None:
        scores = ism_chunk_scores(engine, records)
    else:
        scores = [[s.stored() for s in batch] for _, batch in scored_records(engine, records)]
    if not store.save_output(job_id, index, ChunkOutput(scores)):
        logger.info("job %s was deleted while chunk %d ran; its output is dropped", job_id, index)


def stored_records(store: JobStore, job_id: str, chunks: int) -> Iterator[ScoredRecord]:
    """Every record of the job with its stored scores, in input order, one chunk at a time."""
    for index in range(chunks):
        records = chunk_records(store.chunk(job_id, index))
        for record, stored in zip(records, store.output(job_id, index).scores, strict=True):
            scores = [
                VariantScore.restored(parsed, item)
                for parsed, item in zip(record.inputs, stored, strict=True)
            ]
            yield record, scores


def job_result(
    engine: ScoringEngine, store: JobStore, job: JobRecord, output_format: OutputFormat
) -> Iterator[str]:
    """The finished job's result in ``output_format``, piece by piece, as ``POST /score/vcf``
    renders the same file; one chunk's scores are held at a time (the status counts and
    warnings, which come first, are read in a pass of their own)."""
    view = result_view(engine.model.manifest, job.features, job.top_k)
    provenance = job_provenance(engine, job)
    writer = result_writer(output_format, view, provenance, store.header(job.id))
    summary = RunSummary.of(engine.model.manifest)
    chunks = len(job.chunk_variants)
    return render_twice(
        lambda: stored_records(store, job.id, chunks), writer, output_format, summary
    )
