"""Engine scores -> response rows: the one place results are shaped for output."""

import numpy as np

from core.manifest import ModelManifest
from core.reference import ReferenceGenome
from service.engine import VariantScore, input_fields
from service.model import OnnxModel
from service.schemas import FeatureScore, ModelInfo, ReferenceInfo, VariantResult


def model_info(model: OnnxModel) -> ModelInfo:
    manifest: ModelManifest = model.manifest
    return ModelInfo(
        name=manifest.name,
        version=manifest.version,
        sha256=manifest.onnx.sha256,
        assembly=manifest.assembly,
    )


def reference_info(reference: ReferenceGenome) -> ReferenceInfo:
    return ReferenceInfo(
        file=reference.path.name,
        index_sha256=reference.index_sha256,
        contigs=sorted(reference.spans),
    )


def variant_result(
    score: VariantScore, feature_names: list[str], top_k: int | None
) -> VariantResult:
    chrom, pos, ref, alt = input_fields(score.parsed)
    origin = score.parsed.origin
    return VariantResult(
        input=origin.text,
        record=origin.record,
        alt_index=origin.alt_index,
        line=origin.line,
        id=origin.record_id,
        chrom=chrom,
        pos=pos,
        ref=ref,
        alt=alt,
        status=score.status,
        message=score.message,
        priority=score.priority,
        features=feature_scores(score, feature_names, top_k),
    )


def feature_scores(
    score: VariantScore, feature_names: list[str], top_k: int | None
) -> list[FeatureScore]:
    """Per-feature values sorted by |logfold|, largest first; ``top_k`` of them if given."""
    if score.logfold is None or score.ref is None or score.alt is None or score.diff is None:
        return []
    order = np.argsort(-np.abs(score.logfold), kind="stable")[:top_k]
    return [
        FeatureScore(
            name=feature_names[i],
            ref=float(score.ref[i]),
            alt=float(score.alt[i]),
            diff=float(score.diff[i]),
            logfold=float(score.logfold[i]),
            evalue=None if score.evalue is None else float(score.evalue[i]),
        )
        for i in order
    ]
