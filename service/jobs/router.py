"""Batch jobs: ``POST /jobs`` (VCF upload) -> 202, ``GET /jobs/{id}`` (state and progress),
``GET /jobs/{id}/result`` (VCF, TSV or NDJSON), ``GET /jobs/{id}/report`` (HTML),
``DELETE /jobs/{id}``."""

import re
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import (
    APIRouter,
    File,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import HTMLResponse, StreamingResponse

from core.input_limits import InputLimitError
from core.vcf import VcfReadError, open_vcf
from service.access import Caller
from service.dependencies import AppSettings, Engine
from service.inputs import save_upload, temporary_directory, upload_name
from service.jobs.chunks import job_result, split_records
from service.jobs.records import JobRecord, JobState
from service.jobs.report import job_report
from service.jobs.schemas import JobStatus
from service.jobs.status import job_status
from service.jobs.store import JobStore
from service.jobs.submission import (
    CallerKey,
    IdempotencyKey,
    check_room,
    job_runner,
    job_store,
    known_job,
    new_record,
    start_job,
)
from service.outputs.bgzf import bgzf_blocks
from service.outputs.formats import ResultFormat
from service.report.page import REPORT_POLICY
from service.routes.params import (
    UPLOAD_DESCRIPTION,
    UPLOAD_ERRORS,
    Features,
    TopK,
    view_or_422,
)
from service.schemas import ErrorResponse
from service.scoring.engine import ScoringEngine
from service.settings import Settings
from service.upload_limits import (
    UploadKind,
    VariantCap,
    job_capacity,
    read_limits,
    too_large,
)

router = APIRouter(prefix="/jobs", tags=["jobs"])


_JOB_ID = re.compile(r"[0-9a-f]{32}")


def _job(store: JobStore, job_id: str, caller: Caller) -> JobRecord:
    """The job, if ``caller`` may see it; anyone else gets the 404 of a job that never was."""
    job = store.record(job_id) if _JOB_ID.fullmatch(job_id) else None
    if job is None or not caller.may_see(job.owner):
        raise HTTPException(404, f"no job {job_id!r}: it never existed, expired or was deleted")
    return job


def _finished(store: JobStore, job_id: str, engine: ScoringEngine, caller: Caller) -> JobRecord:
    """The job, if ``caller`` may see it and it has finished (409 while it has not)."""
    job = _job(store, job_id, caller)
    status = job_status(store, job, engine.model.manifest)
    if status.state is not JobState.FINISHED:
        detail = f"job {job_id} is {status.state.value}"
        detail += f": {status.error}" if status.error else "; poll GET /jobs/{id} until finished"
        raise HTTPException(409, detail)
    return job


@router.post(
    "",
    operation_id="jobs-submit",
    status_code=202,
    response_model=JobStatus,
    responses=UPLOAD_ERRORS,
    summary="Submit a VCF or VCF.gz as a batch job",
)
def submit_job(
    request: Request,
    response: Response,
    file: Annotated[
        UploadFile, File(description=UPLOAD_DESCRIPTION, json_schema_extra={"format": "binary"})
    ],
    engine: Engine,
    settings: AppSettings,
    caller: CallerKey,
    top_k: TopK = None,
    features: Features = None,
    idempotency_key: IdempotencyKey = None,
) -> JobStatus:
    """202 with the job's id and its address in ``Location``; poll ``GET /jobs/{id}``, then fetch
    ``/jobs/{id}/result``."""
    store = job_store(request)
    if (known := known_job(store, response, caller, idempotency_key, engine)) is not None:
        return known
    view_or_422(engine, features, top_k)
    check_room(store)
    job_id = uuid.uuid4().hex
    with temporary_directory() as work_dir:
        path = save_upload(file.file, Path(work_dir))
        name = upload_name(file.filename, path)
        capacity = job_capacity(settings, engine.model)
        header, chunk_variants = _store_chunks(store, job_id, path, name, settings, capacity)
    model = job_runner(request).model
    job = new_record(job_id, caller, engine, model, chunk_variants, features, top_k)
    return start_job(request, response, job, header, idempotency_key, engine)


def _store_chunks(
    store: JobStore,
    job_id: str,
    path: Path,
    name: str,
    settings: Settings,
    capacity: VariantCap,
) -> tuple[list[str], list[int]]:
    """The upload's header and its chunks' variant counts, each chunk stored as soon as it is
    read; on a refusal (not VCF: 400; past a limit: 413) the chunks stored are deleted."""
    chunk_variants: list[int] = []
    try:
        with open_vcf(path, read_limits(settings, UploadKind.JOB, capacity), name) as reader:
            for chunk in split_records(reader.records(), settings.job_chunk_variants):
                store.add_chunk(job_id, len(chunk_variants), chunk)
                chunk_variants.append(chunk.variants)
            return reader.header, chunk_variants
    except VcfReadError as error:
        store.delete(job_id)
        raise HTTPException(400, str(error)) from error
    except InputLimitError as error:
        store.delete(job_id)
        raise too_large(error, UploadKind.JOB, capacity) from error
    except BaseException:
        store.delete(job_id)
        raise


@router.get(
    "/{job_id}",
    operation_id="jobs-status",
    response_model=JobStatus,
    responses={404: {"model": ErrorResponse}},
)
def get_job(request: Request, job_id: str, engine: Engine, caller: CallerKey) -> JobStatus:
    """State (queued, running, finished, failed), progress in variants and chunks, the count
    per status so far and, once finished, the result's warnings."""
    store = job_store(request)
    return job_status(store, _job(store, job_id, caller), engine.model.manifest)


@router.get(
    "/{job_id}/result",
    operation_id="jobs-result",
    response_class=Response,
    responses={
        200: {"content": {f.media_type: {} for f in ResultFormat}},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
    },
)
def get_result(
    request: Request,
    job_id: str,
    engine: Engine,
    caller: CallerKey,
    result_format: Annotated[
        ResultFormat,
        Query(
            alias="format",
            description="vcf, tsv or ndjson; with .gz (vcf.gz, ...) bgzipped, as bgzip writes "
            "it (bcftools and tabix read it)",
        ),
    ] = ResultFormat.NDJSON,
) -> Response:
    """Every input ALT once, in input order, in the format asked for."""
    store = job_store(request)
    job = _finished(store, job_id, engine, caller)
    pieces = job_result(engine, store, job, result_format.records)
    if not result_format.bgzipped:
        return StreamingResponse(pieces, media_type=result_format.media_type)
    disposition = f'attachment; filename="{job_id}.{result_format.value}"'
    return StreamingResponse(
        bgzf_blocks(pieces),
        media_type=result_format.media_type,
        headers={"Content-Disposition": disposition},
    )


@router.get(
    "/{job_id}/report",
    operation_id="jobs-report",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "one self-contained HTML page"},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
    },
)
def get_report(request: Request, job_id: str, engine: Engine, caller: CallerKey) -> HTMLResponse:
    """A page to read first: the model and reference with their sha256, the status counts and
    warnings, priority percentiles against the model's background, the top variants with their
    summaries and pictures, and the effects along each chromosome. No script, font or request
    of its own: it opens offline."""
    store = job_store(request)
    job = _finished(store, job_id, engine, caller)
    page = job_report(engine, store, job)
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_POLICY})


@router.delete(
    "/{job_id}",
    operation_id="jobs-delete",
    status_code=204,
    responses={404: {"model": ErrorResponse}},
)
def delete_job(request: Request, job_id: str, caller: CallerKey) -> Response:
    """Forget the job, its input and its result; chunks not yet run are dropped, and a chunk
    running now is stopped before its next batch or its output is dropped."""
    store = job_store(request)
    job = _job(store, job_id, caller)
    job_runner(request).cancel(job_id, len(job.chunk_variants))
    store.delete(job_id)
    return Response(status_code=204)
