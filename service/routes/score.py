"""``POST /score`` (JSON variants) and ``POST /score/vcf`` (VCF upload; JSON, NDJSON, TSV or
annotated VCF out)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Header, HTTPException, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from core.input_limits import DeadlinePassedError, InputLimitError
from core.status import StatusTally
from core.variants import ParsedInput
from core.vcf import VcfReadError
from service.dependencies import AppSettings, Engine
from service.inputs import parse_request_variants, read_vcf_upload, temporary_directory
from service.json_body import StrictJsonRoute
from service.outputs.formats import (
    FORMATS,
    MEDIA_TYPES,
    OutputFormat,
    format_for_request,
    result_writer,
)
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary, render
from service.results import model_info, reference_info, variant_result
from service.routes.params import (
    SCORE_ERRORS,
    UPLOAD_DESCRIPTION,
    UPLOAD_ERRORS,
    Features,
    TopK,
    view_or_422,
)
from service.schemas import ScoreRequest, ScoreResponse
from service.scoring.engine import ScoringEngine
from service.scoring.pipeline import scored_inputs, scored_records
from service.scoring.scores import VariantScore
from service.selection import ResultView
from service.settings import Settings
from service.upload_limits import (
    UploadKind,
    VariantCap,
    read_limits,
    request_capacity,
    too_large,
)

router = APIRouter(tags=["score"], route_class=StrictJsonRoute)

Format = Annotated[
    OutputFormat | None,
    Query(
        alias="format",
        description="json (default), ndjson (streamed), tsv or vcf (annotated); "
        "overrides the Accept header",
    ),
]


def _tally(scores: list[VariantScore], engine: ScoringEngine) -> tuple[StatusTally, list[str]]:
    tally = StatusTally()
    for score in scores:
        tally.add(score.status)
    manifest = engine.model.manifest
    return tally, tally.warnings(manifest.assembly) + list(manifest.missing_scores.values())


def _json_response(
    engine: ScoringEngine, scores: list[VariantScore], view: ResultView
) -> ScoreResponse:
    tally, warnings = _tally(scores, engine)
    return ScoreResponse(
        model=model_info(engine.model),
        reference=reference_info(engine.reference),
        summary=tally.summary(),
        warnings=warnings,
        results=[variant_result(score, view) for score in scores],
    )


def _held_values(view: ResultView, chosen: OutputFormat) -> int:
    """Feature values a variant adds to an answer held whole until sent: JSON's features (the
    ``top_k`` of those selected), TSV's columns (every one selected); none for NDJSON, which
    streams, or the annotated VCF, which reports groups and a short top list."""
    if chosen is OutputFormat.JSON:
        return len(view.selected) if view.top_k is None else min(view.top_k, len(view.selected))
    return len(view.selected) if chosen is OutputFormat.TSV else 0


def _check_size(parsed: list[ParsedInput], cap: VariantCap) -> None:
    if len(parsed) <= cap.variants:
        return
    if cap.reason is not None:
        raise HTTPException(413, f"{len(parsed)} variants: {cap.reason}")
    raise HTTPException(
        413,
        f"{len(parsed)} variants is more than the {cap.variants} a synchronous request may "
        "hold; submit the VCF as a batch job (POST /jobs), split the input, or score it "
        "offline (logoscore score)",
    )


@router.post(
    "/score",
    operation_id="score-variants",
    response_model=ScoreResponse,
    responses=SCORE_ERRORS,
    summary="Score variants given as strings or objects",
)
def score_variants(body: ScoreRequest, engine: Engine, settings: AppSettings) -> ScoreResponse:
    """One result per input ALT, in input order, each with a status."""
    parsed = parse_request_variants(body.variants)
    view = view_or_422(engine, body.features, body.top_k)
    _check_size(parsed, request_capacity(settings, _held_values(view, OutputFormat.JSON)))
    deadline = read_limits(settings, UploadKind.REQUEST).deadline
    try:
        scores = scored_inputs(engine, parsed, deadline)
    except DeadlinePassedError as error:
        raise _timed_out(settings) from error
    return _json_response(engine, scores, view)


def _timed_out(settings: Settings) -> HTTPException:
    """What a request past its deadline gets, if its client still waits (the timeout
    middleware has usually answered 504 already)."""
    return HTTPException(
        504,
        f"no answer within {settings.request_timeout_seconds:g} s "
        "(LOGOSCORE_REQUEST_TIMEOUT_SECONDS); submit large inputs as a batch job (POST /jobs)",
    )


@router.post(
    "/score/vcf",
    operation_id="score-vcf",
    response_model=ScoreResponse,
    responses={
        200: {
            "description": "JSON by default; NDJSON, TSV or the annotated VCF on request",
            "content": {MEDIA_TYPES[f]: {} for f in OutputFormat if f is not OutputFormat.JSON},
        },
        **UPLOAD_ERRORS,
    },
    summary="Score every ALT of an uploaded VCF or bgzipped VCF",
)
def score_vcf(
    file: Annotated[
        UploadFile,
        # format: binary as well as OAS 3.1's contentMediaType, so every Swagger UI shows a picker
        File(description=UPLOAD_DESCRIPTION, json_schema_extra={"format": "binary"}),
    ],
    engine: Engine,
    settings: AppSettings,
    top_k: TopK = None,
    features: Features = None,
    output_format: Format = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ScoreResponse | Response:
    """One result per ALT of every record, in file order, each with a status."""
    chosen = format_for_request(output_format, accept)
    view = view_or_422(engine, features, top_k)
    cap = request_capacity(settings, _held_values(view, chosen))
    limits = read_limits(settings, UploadKind.REQUEST, cap)
    with temporary_directory() as work_dir:
        try:
            header, records = read_vcf_upload(file.file, Path(work_dir), limits, file.filename)
        except VcfReadError as error:
            raise HTTPException(400, str(error)) from error
        except InputLimitError as error:
            raise too_large(error, UploadKind.REQUEST, cap) from error
        except DeadlinePassedError as error:
            raise _timed_out(settings) from error
    if chosen is OutputFormat.JSON:
        try:
            scored = list(scored_records(engine, records, deadline=limits.deadline))
        except DeadlinePassedError as error:
            raise _timed_out(settings) from error
        return _json_response(engine, [score for _, batch in scored for score in batch], view)
    writer = result_writer(chosen, view, Provenance.of(engine.model, engine.reference), header)
    summary = RunSummary.of(engine.model.manifest)
    spec = FORMATS[chosen]
    if spec.streams:  # the client reads as it is scored: no deadline once it has begun
        pieces = render(scored_records(engine, records), writer, chosen, summary, False)
        return StreamingResponse(pieces, media_type=spec.media_type)
    try:
        scored_now = scored_records(engine, records, deadline=limits.deadline)
        body = "".join(render(scored_now, writer, chosen, summary, warnings_first=True))
    except DeadlinePassedError as error:
        raise _timed_out(settings) from error
    return Response(body, media_type=spec.media_type)
