"""The FastAPI app, made by ``create_app`` (``uvicorn --factory service.main:create_app``, or
``logoscore serve``). Nothing is opened at import: the access policy, the model, the FASTA and
the job store open in ``lifespan``."""

import errno
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from core.version import logoscore_version
from service.access import open_policy, require_access
from service.inputs import remove_upload_leftovers
from service.jobs import ism_router
from service.jobs import router as jobs
from service.jobs.setup import open_jobs
from service.limits import BodySizeLimit, request_timeout
from service.redis_errors import redis_reply
from service.routes import examples, health, ism, metrics, models, score
from service.scoring.engine import open_engine
from service.settings import Settings

logger = logging.getLogger(__name__)

DESCRIPTION = (
    "Scores human variants in the non-coding genome with the LOGO genome language model: "
    "per chromatin feature, the reference and alternate allele predictions and their "
    "DeepSEA-style diff and logfold, averaged over k-mer reading frames and both strands. "
    "Every input variant comes back with a status."
)


REDIS_RETRY_SECONDS = 5


async def redis_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 for a request that needed Redis (the job store) while it is unreachable, or while
    it refuses writes (its disk is full or it cannot persist: ``MISCONF``; out of memory:
    ``OOM``)."""
    reply = redis_reply(error) if isinstance(error, redis.RedisError) else type(error).__name__
    logger.warning("%s %s: Redis failed: %s", request.method, request.url.path, reply)
    if isinstance(error, redis.ResponseError):
        problem = (
            "the job store (Redis) refuses writes right now: it cannot persist to disk or is "
            f"out of memory ({reply}); retry later; its operator must free space"
        )
    else:
        problem = "the job store (Redis) cannot be reached right now; retry in a few seconds"
    detail = (
        f"{problem}. Jobs and results already submitted are kept; POST /score keeps scoring "
        "meanwhile"
    )
    return JSONResponse(
        {"detail": detail},
        status_code=503,
        headers={"Retry-After": str(REDIS_RETRY_SECONDS)},
    )


STORAGE_RETRY_SECONDS = 60


async def storage_full(request: Request, error: Exception) -> JSONResponse:
    """507 when the server's disk is full while it holds an upload (the request did nothing:
    nothing was scored or queued); any other ``OSError`` stays a server error."""
    if not isinstance(error, OSError) or error.errno not in (errno.ENOSPC, errno.EDQUOT):
        raise error
    logger.error("%s %s: no disk space for the upload: %s", request.method, request.url.path, error)
    detail = (
        "the server has no disk space left to hold the upload; nothing was scored or queued. "
        "Retry later; the service's operator must free space in its temporary directory (TMPDIR)"
    )
    return JSONResponse(
        {"detail": detail},
        status_code=507,
        headers={"Retry-After": str(STORAGE_RETRY_SECONDS)},
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; settings are read from the environment unless given."""
    active = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = active
        app.state.access = open_policy(
            active.api_keys_file,
            active.quota_requests,
            active.quota_window_seconds,
            active.redis_url,
        )
        if removed := remove_upload_leftovers():
            logger.info("removed %d upload directories left by stopped processes", removed)
        engine = open_engine(active)
        model, reference = engine.model, engine.reference
        model.enable_batching(active.batch_wait_ms / 1000)
        app.state.engine = engine
        app.state.job_store, app.state.job_runner = open_jobs(active, engine)
        logger.info(
            "serving model %s %s (%s, sha256 %s) on %s against reference %s (seqcol %s)",
            model.manifest.name,
            model.manifest.version,
            model.file.label,
            model.file.sha256[:12],
            model.provider,
            active.fasta.name,
            reference.identity.digest,
        )
        try:
            yield
        finally:
            app.state.engine = None
            app.state.job_runner.close()
            model.close()
            reference.close()

    # Swagger UI and ReDoc from packaged files, not a CDN: hospital networks are often offline
    app = FastAPIOffline(
        title="logoscore", version=logoscore_version(), description=DESCRIPTION, lifespan=lifespan
    )
    app.state.engine = None
    for router in (score.router, ism.router, jobs.router, ism_router.router, models.router):
        app.include_router(router, dependencies=[Depends(require_access)])
    for router in (health.router, metrics.router, examples.router):
        app.include_router(router)
    app.add_exception_handler(redis.RedisError, redis_unavailable)
    app.add_exception_handler(OSError, storage_full)
    app.middleware("http")(request_timeout(active.request_timeout_seconds))
    app.middleware("http")(metrics.time_requests)
    app.add_middleware(BodySizeLimit, max_bytes=active.max_upload_bytes)
    if active.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=active.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["Retry-After", "Location"],
        )
    return app
