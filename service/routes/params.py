"""Request parameters and documented errors shared by the scoring and job routes, and the
feature selection they validate."""

from typing import Annotated

from fastapi import HTTPException, Query

from service.schemas import ErrorResponse
from service.scoring.engine import ScoringEngine
from service.selection import ResultView, SelectionError, result_view

TopK = Annotated[
    int | None,
    Query(
        ge=1,
        description="return only the k features with the largest |logfold| (JSON and NDJSON "
        "results; the VCF's LOGO_TOP lists k, default 3); TSV has columns for every selected "
        "feature and ignores it: narrow its columns with features",
    ),
]
Features = Annotated[
    list[str] | None,
    Query(description="feature or group names to report (repeat the parameter); default all"),
]
SCORE_ERRORS: dict[int | str, dict[str, object]] = {
    413: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
    504: {"model": ErrorResponse, "description": "no answer within the request timeout"},
}
UPLOAD_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse},
    **SCORE_ERRORS,
    507: {"model": ErrorResponse, "description": "no disk space to hold the upload; retry later"},
}
UPLOAD_DESCRIPTION = (
    "a VCF or VCF.gz file; to try it, download GET /examples/demo_variants.vcf and choose it here"
)


def view_or_422(engine: ScoringEngine, features: list[str] | None, top_k: int | None) -> ResultView:
    try:
        return result_view(engine.model.manifest, features, top_k)
    except SelectionError as error:
        raise HTTPException(422, str(error)) from error
