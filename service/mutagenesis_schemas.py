"""Request and response bodies of ``POST /ism``, and the response built from a ``Mutagenesis``."""

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from core.ism import BASES
from core.status import Status
from service.mutagenesis import Mutagenesis
from service.schemas import ModelInfo, ReferenceInfo
from service.selection import ResultView

ISM_EXAMPLE: dict[str, JsonValue] = {
    "chrom": "20",
    "start": 1292021,
    "end": 1292040,
    "features": ["Oct4_ChIP", "motif_POU5F1"],
}


class IsmRequest(BaseModel):
    """A region, 1-based and inclusive like VCF positions, and the features to report."""

    model_config = ConfigDict(json_schema_extra={"example": ISM_EXAMPLE})

    chrom: str
    start: int = Field(ge=1, description="first position, 1-based")
    end: int = Field(ge=1, description="last position, inclusive")
    features: list[str] | None = Field(
        default=None,
        description="feature or group names (GET /models lists them); default: every feature "
        "in JSON, the 4 with the largest |logfold| in the region in an image (at most 8 drawn)",
    )


class IsmPosition(BaseModel):
    pos: int
    ref: str | None = Field(description="the reference base; null outside the sequence held")
    status: Status = Field(description="scored when its three changes were")
    message: str | None = Field(default=None, description="why not, for every status but scored")


class IsmResponse(BaseModel):
    model: ModelInfo
    reference: ReferenceInfo
    region: str = Field(description="CONTIG:START-END as resolved in the reference")
    bases: list[str] = Field(description="the second axis of logfold and diff")
    features: list[str] = Field(description="the third axis of logfold and diff")
    summary: dict[str, int] = Field(description="count of positions per status")
    warnings: list[str] = Field(default_factory=list)
    positions: list[IsmPosition] = Field(description="the first axis, in order")
    logfold: list[list[list[float | None]]] = Field(
        description="position x base x feature: log2 odds(alt) - log2 odds(ref) of the SNV "
        "changing the reference base to that base, strand-averaged, the value /score gives "
        "that SNV; 0 for the reference base itself; null where the position was not scored"
    )
    diff: list[list[list[float | None]]] = Field(
        description="position x base x feature: p_alt - p_ref, laid out as logfold"
    )


def ism_response(
    found: Mutagenesis, view: ResultView, model: ModelInfo, reference: ReferenceInfo
) -> IsmResponse:
    tally = found.tally()
    return IsmResponse(
        model=model,
        reference=reference,
        region=str(found.region),
        bases=list(BASES),
        features=[view.names[i] for i in view.selected],
        summary=tally.summary(),
        warnings=_warnings(found),
        positions=[
            IsmPosition(pos=s.site.pos, ref=s.site.ref, status=s.status, message=s.message)
            for s in found.sites
        ],
        logfold=_nested(found.logfold[:, :, view.selected]),
        diff=_nested(found.diff[:, :, view.selected]),
    )


def _nested(values: np.ndarray) -> list[list[list[float | None]]]:
    """``values`` as nested lists, NaN as null."""
    held = values.astype(object)
    held[np.isnan(values)] = None
    nested: list[list[list[float | None]]] = held.tolist()
    return nested


def _warnings(found: Mutagenesis) -> list[str]:
    scored = found.tally().counts[Status.SCORED]
    if scored == len(found.sites):
        return []
    return [
        f"{len(found.sites) - scored} of {len(found.sites)} positions were not scored; each "
        "position's message says why (an N base, or too close to the end of the sequence held)"
    ]
