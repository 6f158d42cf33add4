"""Typed FastAPI dependencies: the engine opened in ``lifespan``, the settings."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.scoring.engine import ScoringEngine
from service.settings import Settings


def get_engine(request: Request) -> ScoringEngine:
    engine: ScoringEngine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise HTTPException(503, "the model is not loaded yet; retry once /health/ready says ready")
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Engine = Annotated[ScoringEngine, Depends(get_engine)]
AppSettings = Annotated[Settings, Depends(get_settings)]
