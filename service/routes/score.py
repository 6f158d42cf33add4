"""``POST /score`` (JSON variants) and ``POST /score/vcf`` (VCF upload)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Query, UploadFile

from core.variants import ParsedInput
from core.vcf import VcfReadError
from service.dependencies import AppSettings, Engine
from service.engine import ScoringEngine
from service.inputs import parse_request_variants, parse_vcf_upload, temporary_directory
from service.results import model_info, reference_info, variant_result
from service.schemas import ErrorResponse, ScoreRequest, ScoreResponse
from service.settings import Settings

router = APIRouter(tags=["score"])

TopK = Annotated[
    int | None, Query(ge=1, description="return only the k features with the largest |logfold|")
]


def _respond(
    engine: ScoringEngine, parsed: list[ParsedInput], top_k: int | None, settings: Settings
) -> ScoreResponse:
    if len(parsed) > settings.max_variants_per_request:
        raise HTTPException(
            413,
            f"{len(parsed)} variants is more than the {settings.max_variants_per_request} a "
            "synchronous request may hold; split the input or use the offline CLI "
            "(logoscore score)",
        )
    names = engine.model.manifest.feature_names
    return ScoreResponse(
        model=model_info(engine.model),
        reference=reference_info(engine.reference),
        results=[variant_result(score, names, top_k) for score in engine.score(parsed)],
    )


@router.post(
    "/score",
    operation_id="score-variants",
    response_model=ScoreResponse,
    responses={413: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
    summary="Score variants given as strings or objects",
)
def score_variants(body: ScoreRequest, engine: Engine, settings: AppSettings) -> ScoreResponse:
    """One result per input ALT, in input order, each with a status."""
    return _respond(engine, parse_request_variants(body.variants), body.top_k, settings)


@router.post(
    "/score/vcf",
    operation_id="score-vcf",
    response_model=ScoreResponse,
    responses={
        400: {"model": ErrorResponse},
        413: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
    summary="Score every ALT of an uploaded VCF or bgzipped VCF",
)
def score_vcf(
    file: Annotated[
        UploadFile,
        # format: binary as well as OAS 3.1's contentMediaType, so every Swagger UI shows a picker
        File(description="a VCF or VCF.gz file", json_schema_extra={"format": "binary"}),
    ],
    engine: Engine,
    settings: AppSettings,
    top_k: TopK = None,
) -> ScoreResponse:
    """One result per ALT of every record, in file order, each with a status."""
    with temporary_directory() as work_dir:
        try:
            parsed = parse_vcf_upload(file.file, Path(work_dir))
        except VcfReadError as error:
            raise HTTPException(400, str(error)) from error
    return _respond(engine, parsed, top_k, settings)
