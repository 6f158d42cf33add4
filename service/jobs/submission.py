"""What every job submission shares: the app's job store and runner, the caller, the
``Idempotency-Key`` header, the answer to a key already used, and making a stored job visible."""

import time
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Response

from service.access import Caller, get_caller
from service.jobs.records import JobRecord
from service.jobs.runner import JobRunner
from service.jobs.schemas import JobStatus
from service.jobs.status import job_status
from service.jobs.store import JobStore, JobStoreFullError
from service.metrics import JOBS_SUBMITTED
from service.scoring.engine import ScoringEngine
from service.scoring.model import ModelFile


def job_store(request: Request) -> JobStore:
    store: JobStore = request.app.state.job_store
    return store


def job_runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.job_runner
    return runner


CallerKey = Annotated[Caller, Depends(get_caller)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        description="resubmitting with the same key (from the same API key) returns the first "
        "job, not a new one"
    ),
]


def check_room(store: JobStore) -> None:
    """503 with ``Retry-After`` when the store cannot take another job now."""
    try:
        store.check_room()
    except JobStoreFullError as error:
        raise HTTPException(503, f"{error}; retry later", headers={"Retry-After": "60"}) from error


def new_record(
    job_id: str,
    caller: Caller,
    engine: ScoringEngine,
    model: ModelFile,
    chunk_variants: list[int],
    features: list[str] | None,
    top_k: int | None = None,
    region: str | None = None,
) -> JobRecord:
    """The record of a job submitted now by ``caller`` to ``engine``'s model and reference, to
    be scored with ``model`` (the job runner's file)."""
    return JobRecord(
        id=job_id,
        owner=caller.name,
        created=time.time(),
        model_sha256=model.run_id,
        model_precision=model.precision,
        model_graph=model.graph,
        reference_digest=engine.reference.identity.digest,
        chunk_variants=chunk_variants,
        features=features,
        top_k=top_k,
        region=region,
    )


def start_job(
    request: Request,
    response: Response,
    job: JobRecord,
    header: list[str],
    idempotency_key: str | None,
    engine: ScoringEngine,
) -> JobStatus:
    """Make ``job``, whose chunks are stored, visible and queue its chunks."""
    store = job_store(request)
    store.create(job, header, idempotency_key)
    job_runner(request).submit(job.id, len(job.chunk_variants))
    JOBS_SUBMITTED.inc()
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_status(store, job, engine.model.manifest)


def known_job(
    store: JobStore, response: Response, caller: Caller, key: str | None, engine: ScoringEngine
) -> JobStatus | None:
    """The job this caller already submitted with ``Idempotency-Key`` ``key``, if any."""
    if key is None or (known := store.job_for_key(caller.name, key)) is None:
        return None
    existing = store.record(known)
    if existing is None:
        return None
    response.headers["Location"] = f"/jobs/{existing.id}"
    return job_status(store, existing, engine.model.manifest)
