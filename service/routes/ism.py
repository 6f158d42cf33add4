"""``POST /ism`` (in-silico saturation mutagenesis of a region: JSON matrices or a heatmap) and
``GET /score/plot`` (the picture of one variant)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import Response

from core.input_limits import DeadlinePassedError
from core.ism import RegionError, mutagenesis_region
from core.status import Status
from core.variants import InvalidInput
from service.dependencies import AppSettings, Engine
from service.inputs import parse_request_variants
from service.json_body import StrictJsonRoute
from service.mutagenesis import mutagenesis
from service.mutagenesis_schemas import IsmRequest, IsmResponse, ism_response
from service.outputs.provenance import Provenance
from service.plots.counts import DEFAULT_FEATURES_PLOTTED, MAX_FEATURES_PLOTTED
from service.plots.figures import IMAGE_MEDIA_TYPES, ImageFormat, image_format_for_request
from service.plots.heatmap import drawn_features, heatmap
from service.plots.variant_plot import variant_plot
from service.results import model_info, reference_info
from service.routes.params import SCORE_ERRORS, Features, view_or_422
from service.schemas import ErrorResponse
from service.scoring.pipeline import scored_inputs
from service.upload_limits import UploadKind, read_limits

router = APIRouter(tags=["pictures"], route_class=StrictJsonRoute)

ImageOrJson = Annotated[
    Literal["json", "svg", "png"] | None,
    Query(alias="format", description="json (default), svg or png; overrides the Accept header"),
]
Image = Annotated[
    Literal["svg", "png"] | None,
    Query(alias="format", description="svg (default) or png; overrides the Accept header"),
]
IMAGE_CONTENT = {
    media_type: {"schema": {"type": "string", "format": "binary"}}
    for media_type in IMAGE_MEDIA_TYPES.values()
}


@router.post(
    "/ism",
    operation_id="ism",
    response_model=IsmResponse,
    responses={
        200: {
            "description": "matrices position x base x feature in JSON, or their heatmap as "
            "SVG or PNG (format=, or Accept: image/svg+xml or image/png)",
            "content": IMAGE_CONTENT,
        },
        **SCORE_ERRORS,
    },
    summary="In-silico saturation mutagenesis: every base of a region changed to each other",
)
def ism(
    body: IsmRequest,
    engine: Engine,
    settings: AppSettings,
    output_format: ImageOrJson = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> IsmResponse | Response:
    """Each position's three SNVs, scored as ``POST /score`` scores them (the same windows,
    frames, strands and numbers); regions up to ``LOGOSCORE_MAX_ISM_BASES`` (default 100 bp),
    longer ones through ``POST /jobs/ism``."""
    image = image_format_for_request(output_format, accept)
    view = view_or_422(engine, body.features, None)
    try:
        region = mutagenesis_region(engine.reference, body.chrom, body.start, body.end)
    except RegionError as error:
        raise HTTPException(422, str(error)) from error
    if region.length > settings.max_ism_bases:
        raise HTTPException(
            413,
            f"region {region} is {region.length} bp; a request mutates at most "
            f"{settings.max_ism_bases} bp (LOGOSCORE_MAX_ISM_BASES): submit it as a job "
            "(POST /jobs/ism, the same body), or run `logoscore ism REGION -o map.json` where "
            "the model is (no length limit)",
        )
    try:
        found = mutagenesis(engine, region, read_limits(settings, UploadKind.REQUEST).deadline)
    except DeadlinePassedError as error:
        raise HTTPException(
            504,
            f"no answer within {settings.request_timeout_seconds:g} s "
            "(LOGOSCORE_REQUEST_TIMEOUT_SECONDS); submit the region as a job (POST /jobs/ism)",
        ) from error
    if image is None:
        return ism_response(found, view, model_info(engine.model), reference_info(engine.reference))
    drawn = drawn_features(found, view, bool(body.features))
    names = engine.model.manifest.feature_names
    footnote = Provenance.of(engine.model, engine.reference).footnote()
    return Response(heatmap(found, drawn, names, image, footnote), media_type=image.media_type)


@router.get(
    "/score/plot",
    operation_id="score-plot",
    response_class=Response,
    responses={
        200: {"description": "the variant's picture", "content": IMAGE_CONTENT},
        422: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
    summary="The picture of one variant: REF and ALT probabilities, logfold and E-values",
)
def plot_variant(
    engine: Engine,
    variant: Annotated[
        str,
        Query(
            description="one variant, as POST /score reads it",
            openapi_examples={"snv": {"summary": "an SNV", "value": "20:1292033:C:T"}},
        ),
    ],
    features: Features = None,
    top: Annotated[
        int, Query(ge=1, le=MAX_FEATURES_PLOTTED, description="how many features to draw")
    ] = DEFAULT_FEATURES_PLOTTED,
    output_format: Image = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The ``top`` reported features with the largest |logfold|, feature groups apart."""
    image = image_format_for_request(output_format, accept) or ImageFormat.SVG
    view = view_or_422(engine, features, None)
    parsed = parse_request_variants([variant])
    if len(parsed) != 1 or isinstance(parsed[0], InvalidInput):
        problem = parsed[0].message if isinstance(parsed[0], InvalidInput) else "several ALTs"
        raise HTTPException(422, f"variant {variant!r} is not one variant: {problem}")
    (score,) = scored_inputs(engine, parsed)
    if score.status is not Status.SCORED:
        raise HTTPException(
            422, f"{variant} was not scored ({score.status.value}): {score.message}"
        )
    footnote = Provenance.of(engine.model, engine.reference).footnote()
    return Response(variant_plot(score, view, image, top, footnote), media_type=image.media_type)
