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
class JobCapacity:
    """How many variants one job may hold: ``LOGOSCORE_MAX_VARIANTS_PER_JOB``, or fewer where
    their stored scores would take more than ``LOGOSCORE_MAX_JOB_RESULT_BYTES``."""

    variants: int
    per_variant_bytes: int
    """About what one variant's stored scores take with the model."""
    result_bytes: int
    by_result_bytes: bool
    """Whether the result bytes, not the variant setting, set ``variants``."""

    def setting(self) -> str:
        return f"LOGOSCORE_MAX_{'JOB_RESULT_BYTES' if self.by_result_bytes else 'VARIANTS_PER_JOB'}"


def job_capacity(settings: Settings, model: OnnxModel) -> JobCapacity:
    """The capacity of a job scored by ``model`` (its features, with E-values or not)."""
    per_variant = stored_bytes(len(model.manifest.features), model.gives_evalues)
    by_bytes = settings.max_job_result_bytes // per_variant
    return JobCapacity(
        min(by_bytes, settings.max_variants_per_job),
        per_variant,
        settings.max_job_result_bytes,
        by_bytes < settings.max_variants_per_job,
    )


def read_limits(
    settings: Settings, kind: UploadKind, capacity: JobCapacity | None = None
) -> ReadLimits:
    """The limits for an upload of ``kind`` (a job's variants: its ``capacity``, where given); a
    synchronous one also stops at the request timeout (``LOGOSCORE_REQUEST_TIMEOUT_SECONDS``)."""
    request = kind is UploadKind.REQUEST
    job_variants = settings.max_variants_per_job if capacity is None else capacity.variants
    return ReadLimits(
        max_bytes=settings.max_bytes_per_request if request else settings.max_bytes_per_job,
        max_line_bytes=settings.max_line_bytes,
        max_header_lines=settings.max_header_lines,
        max_variants=settings.max_variants_per_request if request else job_variants,
        deadline=time.monotonic() + settings.request_timeout_seconds if request else None,
    )


def setting_name(limit: str, kind: UploadKind) -> str:
    """The environment variable behind ``ReadLimits`` field ``limit`` for ``kind``."""
    per_kind = {"max_bytes": "max_bytes_per_", "max_variants": "max_variants_per_"}
    name = per_kind[limit] + kind.value if limit in per_kind else limit
    return f"LOGOSCORE_{name.upper()}"


def too_large(
    error: InputLimitError, kind: UploadKind, capacity: JobCapacity | None = None
) -> HTTPException:
    """413 naming the limit, its setting and what to do (a job's variants past its
    ``capacity``: how much its scores would take)."""
    if capacity is not None and capacity.by_result_bytes and error.limit == "max_variants":
        return HTTPException(
            413,
            f"{error}: with this model's features one variant's stored scores take about "
            f"{capacity.per_variant_bytes:,} bytes and a job's may take "
            f"{capacity.result_bytes:,} (LOGOSCORE_MAX_JOB_RESULT_BYTES), so a job holds at "
            f"most {capacity.variants:,} variants; split the VCF into several "
            "jobs, or ask the operator to raise LOGOSCORE_MAX_JOB_RESULT_BYTES (the job store "
            "must hold that much)",
        )
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
