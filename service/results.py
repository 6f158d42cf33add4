"""Engine scores -> response rows: the one place results are shaped for output."""

import numpy as np

from core.manifest import ModelManifest
from core.reference import ReferenceGenome
from service.schemas import (
    FeatureScore,
    GroupSummary,
    ModelInfo,
    NormalizedVariant,
    ReferenceInfo,
    VariantResult,
)
from service.scoring.engine import input_fields
from service.scoring.model import ModelFile, OnnxModel
from service.scoring.scores import VariantScore
from service.selection import ResultView
from service.summary_line import summary_line


def model_info(model: OnnxModel, file: ModelFile | None = None) -> ModelInfo:
    """The model that scores: ``model``'s own file, or ``file`` (a job's workers' file)."""
    manifest: ModelManifest = model.manifest
    file = file or model.file
    return ModelInfo(
        name=manifest.name,
        version=manifest.version,
        sha256=file.sha256,
        precision=file.precision,
        graph=file.graph,
        assembly=manifest.assembly,
    )


def reference_info(reference: ReferenceGenome) -> ReferenceInfo:
    return ReferenceInfo(
        file=reference.path.name,
        digest=reference.identity.digest,
        contigs=sorted(reference.spans),
    )


def variant_result(score: VariantScore, view: ResultView) -> VariantResult:
    chrom, pos, ref, alt = input_fields(score.parsed)
    origin = score.parsed.origin
    normalized = score.normalized
    rank = None if score.values is None else score.values.rank
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
        normalized=None
        if normalized is None
        else NormalizedVariant(pos=normalized.pos, ref=normalized.ref, alt=normalized.alt),
        summary=summary_line(score, view),
        priority=None if score.values is None else score.values.priority,
        priority_percentile=None if rank is None else rank.percentile,
        priority_phred=None if rank is None else rank.phred,
        groups=group_summaries(score, view),
        features=feature_scores(score, view),
    )


def group_summaries(score: VariantScore, view: ResultView) -> list[GroupSummary]:
    """Per reported group: the largest |diff| of its features, their smallest E-value, and that
    Bonferroni-corrected for their number."""
    values = score.values
    if values is None:
        return []
    summaries = []
    for group in view.selected_groups:
        members = view.members(group)
        smallest = None if values.evalue is None else float(np.min(values.evalue[members]))
        summaries.append(
            GroupSummary(
                group=group,
                features=len(members),
                max_abs_diff=float(np.max(np.abs(values.diff[members]))),
                min_evalue=None if smallest is None else significant(smallest),
                evalue=None if smallest is None else significant(min(1.0, smallest * len(members))),
            )
        )
    return summaries


def significant(value: float, digits: int = 3) -> float:
    """``value`` to ``digits`` significant digits: an E-value's precision, not a float's."""
    return float(f"{value:.{digits}g}")


def feature_scores(score: VariantScore, view: ResultView) -> list[FeatureScore]:
    """Reported features sorted by |logfold|, largest first; ``top_k`` of them if set."""
    values = score.values
    if values is None:
        return []
    order = view.ranked(values.logfold)
    # each array's reported values read at once (a model may have a thousand features)
    refs, alts, diffs, logfolds = (
        array[order].tolist() for array in (values.ref, values.alt, values.diff, values.logfold)
    )
    evalues = (
        [None] * len(order)
        if values.evalue is None
        else [significant(value) for value in values.evalue[order].tolist()]
    )
    return [
        FeatureScore(name=view.names[i], ref=ref, alt=alt, diff=diff, logfold=lf, evalue=evalue)
        for i, ref, alt, diff, lf, evalue in zip(
            order, refs, alts, diffs, logfolds, evalues, strict=True
        )
    ]
