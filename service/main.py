"""The FastAPI app: ``service.main:app``. The model and the FASTA open once, in ``lifespan``."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.engine import open_engine
from service.jobs.setup import close_jobs, open_jobs
from service.routes import health, jobs, metrics, models, score
from service.settings import Settings

logger = logging.getLogger(__name__)

DESCRIPTION = (
    "Scores human variants in the non-coding genome with the LOGO genome language model: "
    "per chromatin feature, the reference and alternate allele predictions and their "
    "DeepSEA-style diff and logfold, averaged over k-mer reading frames and both strands. "
    "Every input variant comes back with a status."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; settings are read from the environment at start-up unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = settings or Settings()
        app.state.settings = active
        engine = open_engine(active)
        model, reference = engine.model, engine.reference
        model.enable_batching(active.batch_wait_ms / 1000)
        app.state.engine = engine
        app.state.job_store, app.state.job_runner = open_jobs(active, engine)
        logger.info(
            "serving %s on %s against %s", model.manifest.name, model.provider, active.fasta.name
        )
        try:
            yield
        finally:
            app.state.engine = None
            close_jobs(app.state.job_runner)
            model.close()
            reference.close()

    app = FastAPI(title="logoscore", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.engine = None
    for router in (score.router, jobs.router, models.router, health.router, metrics.router):
        app.include_router(router)
    app.middleware("http")(metrics.time_requests)
    return app


app = create_app()
