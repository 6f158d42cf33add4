"""What an upload may hold (``core.input_limits``), per synchronous request and per batch job,
and the 413 that names the limit crossed and the setting that sets it."""

import time
from dataclasses import dataclass
from enum import StrEnum

from fastapi import HTTPException

from core.input_limits import InputLimitError, ReadLimits
from service.scoring.model import OnnxModel
from service.scoring.scores import stored_bytes
from service.settings import Settings


class UploadKind(StrEnum):
    REQUEST = "request"
    JOB = "job"


@dataclass(frozen=True)
class VariantCap:
    """The most variants an upload may hold: its kind's variant setting, or fewer where what
    they would take (a job's stored scores, a synchronous answer's feature values) binds first;
    ``reason`` then says so, for the 413."""

    variants: int
    setting: str
    """The environment variable that sets ``variants``."""
    reason: str | None = None


def job_capacity(settings: Settings, model: OnnxModel) -> VariantCap:
    """The variants of a job scored by ``model``: ``LOGOSCORE_MAX_VARIANTS_PER_JOB``, or fewer
    where their stored scores (its features, with E-values or not) would take more than
    ``LOGOSCORE_MAX_JOB_RESULT_BYTES``."""
    per_variant = stored_bytes(len(model.manifest.features), model.gives_evalues)
    by_bytes = settings.max_job_result_bytes // per_variant
    reason = (
        f"with this model's features one variant's stored scores take about {per_variant:,} "
        f"bytes and a job's may take {settings.max_job_result_bytes:,} "
        f"(LOGOSCORE_MAX_JOB_RESULT_BYTES), so a job holds at most {by_bytes:,} variants; split "
        "the VCF into several jobs, or ask the operator to raise LOGOSCORE_MAX_JOB_RESULT_BYTES "
        "(the job store must hold that much)"
    )
    return _smaller(
        VariantCap(settings.max_variants_per_job, "LOGOSCORE_MAX_VARIANTS_PER_JOB"),
        VariantCap(by_bytes, "LOGOSCORE_MAX_JOB_RESULT_BYTES", reason),
    )


def request_capacity(settings: Settings, reported: int) -> VariantCap:
    """The variants of a synchronous answer that holds every variant at once (JSON, TSV) and
    reports ``reported`` feature values of each: ``LOGOSCORE_MAX_VARIANTS_PER_REQUEST``, or
    fewer where they would pass ``LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST``."""
    by_values = settings.max_feature_values_per_request // max(reported, 1)
    reason = (
        f"an answer reporting {reported:,} features a variant holds at most {by_values:,} "
        f"variants ({settings.max_feature_values_per_request:,} feature values, "
        "LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST); ask for fewer features (top_k, features), "
        "stream the answer as NDJSON (POST /score/vcf?format=ndjson), or submit a batch job "
        "(POST /jobs)"
    )
    return _smaller(
        VariantCap(settings.max_variants_per_request, "LOGOSCORE_MAX_VARIANTS_PER_REQUEST"),
        VariantCap(by_values, "LOGOSCORE_MAX_FEATURE_VALUES_PER_REQUEST", reason),
    )


def _smaller(by_count: VariantCap, by_size: VariantCap) -> VariantCap:
    """The variant setting's cap, or the one from what the variants would take where smaller."""
    return by_size if by_size.variants < by_count.variants else by_count


def read_limits(settings: Settings, kind: UploadKind, cap: VariantCap | None = None) -> ReadLimits:
    """The limits for an upload of ``kind`` (its variants: ``cap``, where given); a synchronous
    one also stops at the request timeout (``LOGOSCORE_REQUEST_TIMEOUT_SECONDS``)."""
    request = kind is UploadKind.REQUEST
    variants = settings.max_variants_per_request if request else settings.max_variants_per_job
    return ReadLimits(
        max_bytes=settings.max_bytes_per_request if request else settings.max_bytes_per_job,
        max_line_bytes=settings.max_line_bytes,
        max_header_lines=settings.max_header_lines,
        max_variants=variants if cap is None else cap.variants,
        deadline=time.monotonic() + settings.request_timeout_seconds if request else None,
    )


def setting_name(limit: str, kind: UploadKind) -> str:
    """The environment variable behind ``ReadLimits`` field ``limit`` for ``kind``."""
    per_kind = {"max_bytes": "max_bytes_per_", "max_variants": "max_variants_per_"}
    name = per_kind[limit] + kind.value if limit in per_kind else limit
    return f"LOGOSCORE_{name.upper()}"


def too_large(
    error: InputLimitError, kind: UploadKind, cap: VariantCap | None = None
) -> HTTPException:
    """413 naming the limit, its setting and what to do (variants past a ``cap`` set by what
    they would take: its reason)."""
    if cap is not None and cap.reason is not None and error.limit == "max_variants":
        return HTTPException(413, f"{error}: {cap.reason}")
    setting = setting_name(error.limit, kind)
    advice = (
        "submit the VCF as a batch job (POST /jobs), split it, or score it offline "
        "(logoscore score)"
        if kind is UploadKind.REQUEST
        else "split the VCF into several jobs"
    )
    return HTTPException(
        413,
        f"{error}: this service's limit is {error.value:,} ({setting}); {advice}, or ask the "
        f"operator to raise {setting}",
    )
