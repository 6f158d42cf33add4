"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.schemas import Liveness, Readiness
from service.scoring.engine import ScoringEngine

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", operation_id="health-live", response_model=Liveness)
def live() -> Liveness:
    """The process is up."""
    return Liveness(status="live")


@router.get(
    "/ready",
    operation_id="health-ready",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
)
def ready(request: Request) -> Readiness | JSONResponse:
    """The model and the reference are loaded and requests can be scored."""
    engine: ScoringEngine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        body = Readiness(status="not_ready", detail="the model or the reference is not loaded")
        return JSONResponse(body.model_dump(), status_code=503)
    cache = engine.cache
    return Readiness(
        status="ready",
        model=engine.model.manifest.name,
        provider=engine.model.provider,
        precision=engine.model.file.precision,
        graph=engine.model.file.graph,
        cache=None if cache is None else cache.backend,
        cache_available=None if cache is None else cache.available,
    )
