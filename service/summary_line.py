"""One line a person reads first, per scored variant, the same in every format: the reported
feature that moves most, which way and how far, how unusual that is, and where the priority
ranks."""

from core.calibration import variant_class
from service.scoring.scores import VariantScore
from service.selection import ResultView


def summary_line(score: VariantScore, view: ResultView) -> str | None:
    """E.g. ``CTCF_ChIP down (logfold -1.23, diff -0.081, E 0.004); priority percentile 91 among
    random SNVs``; None for a variant that was not scored."""
    values, normalized = score.values, score.normalized
    if values is None or normalized is None or not view.selected:
        return None
    top = view.strongest(values.logfold)
    logfold, diff = float(values.logfold[top]), float(values.diff[top])
    direction = "up" if logfold > 0 else "down" if logfold < 0 else "unchanged"
    unusual = "" if values.evalue is None else f", E {float(values.evalue[top]):.2g}"
    line = f"{view.names[top]} {direction} (logfold {logfold:+.2f}, diff {diff:+.3f}{unusual})"
    if values.rank is not None:
        kind = "SNVs" if variant_class(normalized.ref, normalized.alt) == "snv" else "indels"
        line += f"; priority percentile {values.rank.percentile:.0f} among random {kind}"
    return line
