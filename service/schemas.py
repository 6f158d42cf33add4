"""Request and response bodies of the HTTP API."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from core.calibration import PRIORITY_DESCRIPTION
from core.status import Status


class VariantObject(BaseModel):
    """A variant as separate fields, VCF semantics (1-based ``pos``)."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"chrom": "20", "pos": 1292033, "ref": "C", "alt": "T"}}
    )

    chrom: str
    pos: int
    ref: str
    alt: str = Field(description="one ALT, or several separated by commas (one result each)")


class ScoreRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "variants": [
                    "20:1292033:C:T",
                    "chr20-1340527-T-TGTC",
                    {"chrom": "20", "pos": 1600125, "ref": "GAA", "alt": "G"},
                ],
                "top_k": 4,
            }
        }
    )

    variants: list[str | VariantObject] = Field(
        min_length=1,
        description="strings (CHROM:POS:REF:ALT, CHROM-POS-REF-ALT, ...) or objects, mixed",
    )
    top_k: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="return only the k features with the largest |logfold| (JSON and NDJSON "
        "results; the VCF's LOGO_TOP lists k, default 3); TSV has columns for every selected "
        "feature and ignores it: narrow its columns with features",
    )
    features: list[str] | None = Field(
        default=None,
        description="feature or group names to report (GET /models lists them); default all",
    )


class ModelInfo(BaseModel):
    name: str
    version: str
    sha256: str = Field(description="sha256 of the ONNX file that computed the scores")
    precision: str = Field(description="fp32, or int8 / fp16 for a reduced-precision copy")
    graph: str = Field(
        default="unfused",
        description="unfused (as exported), fused (each attention one operator: onnxruntime's "
        "transformer optimizer), or tensorrt (an fp16 engine TensorRT built from the fp32 file)",
    )
    assembly: str


class ReferenceInfo(BaseModel):
    file: str = Field(description="the FASTA's file name (a label: the digest identifies it)")
    digest: str = Field(
        description="GA4GH sequence-collection (seqcol) digest of the FASTA's names, lengths "
        "and sequences: equal for the same bases, whatever the file's name or line width"
    )
    contigs: list[str]


class FeatureScore(BaseModel):
    name: str
    ref: float = Field(
        description="p(feature) for the reference allele, frame- and strand-averaged"
    )
    alt: float = Field(description="p(feature) for the alternate allele")
    diff: float = Field(description="p_alt - p_ref, strand-averaged")
    logfold: float = Field(description="log2 odds(alt) - log2 odds(ref), strand-averaged")
    evalue: float | None = Field(
        default=None,
        description="share of background variants with a larger |diff x logfold| (floored); "
        "null when the model has no background (the warnings say why)",
    )


class NormalizedVariant(BaseModel):
    """The variant in canonical form (trimmed, left-aligned; as ``bcftools norm -f``)."""

    pos: int
    ref: str
    alt: str


class GroupSummary(BaseModel):
    group: str
    features: int = Field(description="reported features of the group: what it summarises")
    max_abs_diff: float = Field(description="largest |diff| among the group's reported features")
    min_evalue: float | None = Field(
        default=None,
        description="smallest E-value among the group's reported features, uncorrected: with "
        "many features some are small by chance; read evalue",
    )
    evalue: float | None = Field(
        default=None,
        description="the group's E-value: min_evalue Bonferroni-corrected for the number of "
        "features it summarises (min_evalue x features, at most 1)",
    )


class VariantResult(BaseModel):
    input: str = Field(description="the input record as given (CHROM:POS:REF:ALT for VCF)")
    record: int = Field(description="0-based index of the input record")
    alt_index: int = Field(description="which ALT of the record this result is for")
    line: int | None = Field(default=None, description="1-based line in the uploaded file")
    id: str | None = None
    chrom: str | None = Field(description="as given")
    pos: int | None = Field(description="as given")
    ref: str | None = Field(description="as given")
    alt: str | None = Field(description="as given: one ALT of the record")
    status: Status
    message: str | None = Field(default=None, description="what to do, for every status but scored")
    normalized: NormalizedVariant | None = None
    summary: str | None = Field(
        default=None,
        description="one line to read first: the reported feature that moves most, which way, "
        "its E-value, and the priority's percentile",
    )
    priority: float | None = Field(
        default=None,
        description=f"{PRIORITY_DESCRIPTION}; null when the model has no prioritiser (the "
        "warnings say why)",
    )
    priority_percentile: float | None = Field(
        default=None,
        description="share (0-100) of background variants of the same class (snv, indel), "
        "drawn at random positions of the model's genome and scored by the same model, with a "
        "lower priority; the model card describes the background",
    )
    priority_phred: float | None = Field(
        default=None,
        description="the same rank PHRED-scaled, as CADD's: -10 log10 of the share of "
        "background variants at or above this priority (10: top 10%, 20: top 1%)",
    )
    groups: list[GroupSummary] = Field(default_factory=list)
    features: list[FeatureScore] = Field(
        default_factory=list, description="sorted by |logfold|, largest first"
    )


class ScoreResponse(BaseModel):
    model: ModelInfo
    reference: ReferenceInfo
    summary: dict[str, int] = Field(description="count of results per status")
    warnings: list[str] = Field(default_factory=list)
    results: list[VariantResult] = Field(description="one per input ALT, in input order")


class FeatureInfo(BaseModel):
    name: str
    group: str
    description: str


class ModelDescription(ModelInfo):
    window: int
    k: int
    tokenizer: str = Field(
        description="how a window becomes tokens: kmer-frames-v1 (cls first) or logo-ngram-v1 "
        "(LOGO's k-mer ids, no cls)"
    )
    frame_tail: str = Field(
        description="reference (frames end on real bases past the window) or n-padded (LOGO's: "
        "exactly the window, the last k-mer padded with N)"
    )
    provider: str
    features: list[FeatureInfo]
    parity: dict[str, float | int | str]
    precision_parity: dict[str, float | int | str] = Field(
        description="the running copy against the exported fp32 model on SNVs ({} when that "
        "model runs, or TensorRT: bench/gpu.sh measures it)"
    )
    copies: list[dict[str, Any]] = Field(
        default_factory=list,
        description="every copy the model directory holds (precision, graph, provider, file, "
        "sha256, parity, speedup over fp32 where measured), in the order the service prefers "
        "them; the first at parity and not measured slower runs unless LOGOSCORE_PRECISION "
        "says otherwise",
    )
    card: dict[str, Any] = Field(description="the model card's key facts")
    missing_scores: dict[str, str] = Field(
        default_factory=dict,
        description="scores this model does not give (null in every result), each with why "
        "and how to add it; {} when it gives them all",
    )


class ModelsResponse(BaseModel):
    models: list[ModelDescription]


class Liveness(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    model: str | None = None
    provider: str | None = None
    precision: str | None = None
    graph: str | None = None
    cache: str | None = Field(default=None, description="redis or memory")
    cache_available: bool | None = Field(
        default=None, description="false while Redis is unreachable: scoring goes on without it"
    )
    detail: str | None = None


class ErrorResponse(BaseModel):
    detail: str
