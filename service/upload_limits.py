"""What an upload may hold (``core.input_limits``), per synchronous request and per batch job,
and the 413 that names the limit crossed and the setting that sets it."""

import time
from enum import StrEnum

from fastapi import HTTPException

from core.input_limits import InputLimitError, ReadLimits
from service.settings import Settings


class UploadKind(StrEnum):
    REQUEST = "request"
    JOB = "job"


def read_limits(settings: Settings, kind: UploadKind) -> ReadLimits:
    """The limits for an upload of ``kind``; a synchronous one also stops at the request
    timeout (``LOGOSCORE_REQUEST_TIMEOUT_SECONDS``)."""
    request = kind is UploadKind.REQUEST
    return ReadLimits(
        max_bytes=settings.max_bytes_per_request if request else settings.max_bytes_per_job,
        max_line_bytes=settings.max_line_bytes,
        max_header_lines=settings.max_header_lines,
        max_variants=(
            settings.max_variants_per_request if request else settings.max_variants_per_job
        ),
        deadline=time.monotonic() + settings.request_timeout_seconds if request else None,
    )


def setting_name(limit: str, kind: UploadKind) -> str:
    """The environment variable behind ``ReadLimits`` field ``limit`` for ``kind``."""
    per_kind = {"max_bytes": "max_bytes_per_", "max_variants": "max_variants_per_"}
    name = per_kind[limit] + kind.value if limit in per_kind else limit
    return f"LOGOSCORE_{name.upper()}"


def too_large(error: InputLimitError, kind: UploadKind) -> HTTPException:
    """413 naming the limit, its setting and what to do."""
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
