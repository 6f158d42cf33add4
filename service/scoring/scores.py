"""What scoring gives for one input variant: ``VariantScore`` (status, message, normalised
alleles and, when scored, its ``ScoreValues``), and their stored forms.

``ScoreValues`` are the per-feature arrays ``(N,)`` of a scored variant and its priority, kept as
float64 bytes, exact to the bit (the score cache, ``service.scoring.cache``). A ``VariantScore`` is
stored without its input (``stored``): the input is read again from the record it came from
(``service.jobs``), so a job's result is rendered from its stored scores exactly as direct
scoring renders them.
"""

import base64
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.calibration import PriorityRank
from core.normalize import NormalizedAlleles
from core.status import Status
from core.variants import ParsedInput

_HEADER = struct.Struct("<IBBddd")  # features, has evalue, has priority, priority, its rank


@dataclass(frozen=True)
class ScoreValues:
    """A scored variant's per-feature arrays ``(N,)`` and its priority."""

    ref: np.ndarray
    alt: np.ndarray
    diff: np.ndarray
    logfold: np.ndarray
    evalue: np.ndarray | None
    priority: float | None
    rank: PriorityRank | None = None
    """The priority's rank among background variants of the variant's class."""

    def to_bytes(self) -> bytes:
        arrays = [self.ref, self.alt, self.diff, self.logfold]
        if self.evalue is not None:
            arrays.append(self.evalue)
        header = _HEADER.pack(
            len(self.ref),
            self.evalue is not None,
            self.priority is not None,
            0.0 if self.priority is None else self.priority,
            math.nan if self.rank is None else self.rank.percentile,
            math.nan if self.rank is None else self.rank.phred,
        )
        return header + b"".join(np.asarray(a, dtype="<f8").tobytes() for a in arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> "ScoreValues":
        features, has_evalue, has_priority, priority, percentile, phred = _HEADER.unpack_from(data)
        values = np.frombuffer(data, dtype="<f8", offset=_HEADER.size).astype(np.float64)
        rows = values.reshape(-1, features)
        return cls(
            ref=rows[0],
            alt=rows[1],
            diff=rows[2],
            logfold=rows[3],
            evalue=rows[4] if has_evalue else None,
            priority=priority if has_priority else None,
            rank=None if math.isnan(percentile) else PriorityRank(percentile, phred),
        )


STORED_FIELDS_BYTES = 256
"""A stored score's JSON beyond its values (status, message, normalised position and alleles):
at most this for an SNV, more for a long indel, whose input is as long."""


def stored_bytes(features: int, evalues: bool) -> int:
    """About how many bytes one scored variant's stored form takes (``VariantScore.stored`` as
    JSON: its four or five float64 arrays in base64): what a job keeps per variant."""
    values = _HEADER.size + 8 * features * (5 if evalues else 4)
    return 4 * math.ceil(values / 3) + STORED_FIELDS_BYTES


HELD_OVERHEAD_BYTES = 1024
"""What one ``ScoreValues`` in memory takes beyond its arrays' values (objects, array headers, its
cache entry: 1,050 bytes measured with tracemalloc)."""


def held_bytes(features: int, evalues: bool) -> int:
    """About how many bytes one ``ScoreValues`` takes in memory (the in-process cache's)."""
    return 8 * features * (5 if evalues else 4) + HELD_OVERHEAD_BYTES


@dataclass(frozen=True)
class VariantScore:
    """The outcome for one input variant; ``values`` only when it was scored."""

    parsed: ParsedInput
    status: Status
    message: str | None = None
    normalized: NormalizedAlleles | None = None
    values: ScoreValues | None = None

    def stored(self) -> dict[str, Any]:
        """Everything but the input (``parsed``), as JSON-ready values."""
        normalized = self.normalized
        return {
            "status": self.status.value,
            "message": self.message,
            "normalized": None
            if normalized is None
            else [normalized.pos, normalized.ref, normalized.alt],
            "values": None
            if self.values is None
            else base64.b64encode(self.values.to_bytes()).decode(),
        }

    @classmethod
    def restored(cls, parsed: ParsedInput, stored: dict[str, Any]) -> "VariantScore":
        """The score ``stored`` gave for the input ``parsed``."""
        normalized, values = stored["normalized"], stored["values"]
        return cls(
            parsed=parsed,
            status=Status(stored["status"]),
            message=stored["message"],
            normalized=None if normalized is None else NormalizedAlleles(*normalized),
            values=None if values is None else ScoreValues.from_bytes(base64.b64decode(values)),
        )
