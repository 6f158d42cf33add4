"""``POST /jobs/ism``: an in-silico mutagenesis too long for ``POST /ism``, as a batch job
(``service.jobs.ism``); its status, result, report and deletion are every job's."""

import uuid

from fastapi import APIRouter, HTTPException, Request, Response

from core.ism import RegionError, mutagenesis_region
from service.dependencies import AppSettings, Engine
from service.jobs.ism import ism_chunks, ism_header
from service.jobs.schemas import JobStatus
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
from service.json_body import StrictJsonRoute
from service.mutagenesis_schemas import IsmRequest
from service.routes.params import view_or_422
from service.schemas import ErrorResponse
from service.upload_limits import job_capacity

router = APIRouter(prefix="/jobs", tags=["jobs"], route_class=StrictJsonRoute)


@router.post(
    "/ism",
    operation_id="jobs-submit-ism",
    status_code=202,
    response_model=JobStatus,
    responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    summary="Submit an in-silico mutagenesis of a region too long for POST /ism",
)
def submit_ism_job(
    request: Request,
    response: Response,
    body: IsmRequest,
    engine: Engine,
    settings: AppSettings,
    caller: CallerKey,
    idempotency_key: IdempotencyKey = None,
) -> JobStatus:
    """Every SNV of the region, one VCF record per position with its SNVs as ALTs (a position
    that is N or outside the sequence held: REF N, every base, each with its status), each
    scored as ``POST /ism`` scores it; the result comes in every job format, and the report."""
    store = job_store(request)
    if (known := known_job(store, response, caller, idempotency_key, engine)) is not None:
        return known
    view_or_422(engine, body.features, None)
    try:
        region = mutagenesis_region(engine.reference, body.chrom, body.start, body.end)
    except RegionError as error:
        raise HTTPException(422, str(error)) from error
    capacity = job_capacity(settings, engine.model)
    by_variants = capacity.variants // 4  # a position's 3 SNVs, or 4 ALTs where REF is N
    longest = min(settings.max_ism_job_bases, by_variants)
    if region.length > longest:
        setting = (
            "LOGOSCORE_MAX_ISM_JOB_BASES"
            if longest == settings.max_ism_job_bases
            else f"{capacity.setting}: up to 4 variants a base"
        )
        raise HTTPException(
            413,
            f"region {region} is {region.length} bp; a job mutates at most {longest} bp "
            f"({setting}): split it into several jobs",
        )
    check_room(store)
    job_id = uuid.uuid4().hex
    chunk_variants: list[int] = []
    try:
        for chunk in ism_chunks(engine.reference, region, settings.job_chunk_variants):
            store.add_chunk(job_id, len(chunk_variants), chunk)
            chunk_variants.append(chunk.variants)
    except BaseException:
        store.delete(job_id)  # no half-stored job stays behind
        raise
    model = job_runner(request).model
    job = new_record(
        job_id, caller, engine, model, chunk_variants, body.features, region=str(region)
    )
    return start_job(request, response, job, ism_header(region), idempotency_key, engine)
