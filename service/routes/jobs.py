"""Batch jobs: ``POST /jobs`` (VCF upload) -> 202, ``GET /jobs/{id}`` (state and progress),
``GET /jobs/{id}/result`` (VCF, TSV or NDJSON), ``DELETE /jobs/{id}``."""

import time
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Header, HTTPException, Query, Request, Response, UploadFile

from core.vcf import VcfReadError, open_vcf
from service.dependencies import AppSettings, Engine
from service.inputs import save_upload, temporary_directory
from service.jobs.chunks import STREAMED_FORMATS, merged_result, split_records
from service.jobs.model import JobRecord, JobState
from service.jobs.runner import JobRunner
from service.jobs.store import JobStore
from service.metrics import JOBS_SUBMITTED
from service.outputs.formats import MEDIA_TYPES, OutputFormat
from service.routes.score import (
    UPLOAD_DESCRIPTION,
    UPLOAD_ERRORS,
    Features,
    TopK,
    view_or_422,
)
from service.schemas import ErrorResponse, JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.job_store
    return store


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.job_runner
    return runner


def job_status(store: JobStore, job: JobRecord) -> JobStatus:
    done = store.done(job.id)
    failure = store.failure(job.id)
    if failure is not None:
        state = JobState.FAILED
    elif len(done) == len(job.chunk_variants):
        state = JobState.FINISHED
    elif done or store.started(job.id):
        state = JobState.RUNNING
    else:
        state = JobState.QUEUED
    return JobStatus(
        id=job.id,
        state=state,
        variants_total=job.total,
        variants_done=sum(job.chunk_variants[i] for i in done),
        chunks_total=len(job.chunk_variants),
        chunks_done=len(done),
        error=failure,
        created=job.created,
    )


def _job(store: JobStore, job_id: str) -> JobRecord:
    job = store.record(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}: it never existed, expired or was deleted")
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
    file: Annotated[
        UploadFile, File(description=UPLOAD_DESCRIPTION, json_schema_extra={"format": "binary"})
    ],
    engine: Engine,
    settings: AppSettings,
    top_k: TopK = None,
    features: Features = None,
    idempotency_key: Annotated[
        str | None,
        Header(description="resubmitting with the same key returns the first job, not a new one"),
    ] = None,
) -> JobStatus:
    """202 with the job's id; poll ``GET /jobs/{id}``, then fetch ``/jobs/{id}/result``."""
    store = _store(request)
    if idempotency_key is not None and (known := store.job_for_key(idempotency_key)):
        existing = store.record(known)
        if existing is not None:
            return job_status(store, existing)
    view_or_422(engine, features, top_k)
    with temporary_directory() as work_dir:
        try:
            path = save_upload(file.file, Path(work_dir))
            with open_vcf(path) as reader:
                header = reader.header
                chunks = split_records(reader.records(), settings.job_chunk_variants)
        except VcfReadError as error:
            raise HTTPException(400, str(error)) from error
    job = JobRecord(
        id=uuid.uuid4().hex,
        created=time.time(),
        model_sha256=engine.model.file.sha256,
        vcf_header=header,
        chunk_variants=[chunk.variants for chunk in chunks],
        features=features,
        top_k=top_k,
    )
    store.create(job, chunks, idempotency_key)
    _runner(request).submit(job.id, len(chunks))
    JOBS_SUBMITTED.inc()
    return job_status(store, job)


@router.get(
    "/{job_id}",
    operation_id="jobs-status",
    response_model=JobStatus,
    responses={404: {"model": ErrorResponse}},
)
def get_job(request: Request, job_id: str) -> JobStatus:
    """State (queued, running, finished, failed) and progress in variants and chunks."""
    store = _store(request)
    return job_status(store, _job(store, job_id))


@router.get(
    "/{job_id}/result",
    operation_id="jobs-result",
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPES[f]: {} for f in STREAMED_FORMATS}},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
    },
)
def get_result(
    request: Request,
    job_id: str,
    engine: Engine,
    output_format: Annotated[
        OutputFormat, Query(alias="format", description="vcf, tsv or ndjson")
    ] = OutputFormat.NDJSON,
) -> Response:
    """Every input ALT once, in input order, in the format asked for."""
    store = _store(request)
    job = _job(store, job_id)
    status = job_status(store, job)
    if status.state is not JobState.FINISHED:
        detail = f"job {job_id} is {status.state.value}"
        detail += f": {status.error}" if status.error else "; poll GET /jobs/{id} until finished"
        raise HTTPException(409, detail)
    if output_format not in STREAMED_FORMATS:
        raise HTTPException(422, "a job's result comes as format=vcf, tsv or ndjson")
    body = merged_result(engine, job, store.outputs(job_id), output_format)
    return Response(body, media_type=MEDIA_TYPES[output_format])


@router.delete(
    "/{job_id}",
    operation_id="jobs-delete",
    status_code=204,
    responses={404: {"model": ErrorResponse}},
)
def delete_job(request: Request, job_id: str) -> Response:
    """Forget the job, its input and its result; chunks not yet run are dropped."""
    store = _store(request)
    job = _job(store, job_id)
    _runner(request).cancel(job_id, len(job.chunk_variants))
    store.delete(job_id)
    return Response(status_code=204)
