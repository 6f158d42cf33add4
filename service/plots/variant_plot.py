"""The picture of one scored variant: its strongest features, feature groups apart, with the
reference and alternate probabilities side by side (left) and the logfold between them
(right), each bar labelled with its E-value; E-values at or below ``NOTABLE_EVALUE`` in bold."""

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from core.calibration import variant_class
from service.plots.counts import DEFAULT_FEATURES_PLOTTED
from service.plots.figures import (
    ALT_COLOUR,
    GAIN_COLOUR,
    LOSS_COLOUR,
    REF_COLOUR,
    ImageFormat,
    drawn,
)
from service.scoring.scores import ScoreValues, VariantScore
from service.selection import ResultView
from service.summary_line import summary_line

NOTABLE_EVALUE = 0.05


def plotted_features(values: ScoreValues, view: ResultView, count: int) -> list[int]:
    """The ``count`` reported features with the largest |logfold|, grouped by feature group
    (groups in model order), strongest first within a group."""
    strongest = sorted(view.selected, key=lambda i: -abs(float(values.logfold[i])))[:count]
    group_order = list(dict.fromkeys(view.groups))
    return sorted(
        strongest,
        key=lambda i: (group_order.index(view.groups[i]), -abs(float(values.logfold[i]))),
    )


def variant_plot(
    score: VariantScore,
    view: ResultView,
    image: ImageFormat,
    count: int = DEFAULT_FEATURES_PLOTTED,
    footnote: str | None = None,
) -> bytes:
    """The picture of scored variant ``score`` (``ValueError`` if it was not scored), with
    ``footnote`` (the model and reference: ``Provenance.footnote``) under it."""
    values = score.values
    if values is None:
        raise ValueError(f"{score.parsed.origin.text} was not scored ({score.status.value})")
    features = plotted_features(values, view, count)
    title = f"{score.parsed.origin.text}: {summary_line(score, view)}"
    normalized = score.normalized
    kind = "snv" if normalized is None else variant_class(normalized.ref, normalized.alt)
    against = "random SNVs" if kind == "snv" else "random indels"

    def draw(figure: Figure) -> None:
        probabilities, effects = figure.subplots(1, 2, sharey=True, width_ratios=[1, 1.3])
        _draw_probabilities(probabilities, values, features, view)
        _draw_effects(effects, values, features, [view.groups[i] for i in features], against)
        figure.suptitle(title, fontsize=9, wrap=True)

    return drawn(draw, (9.0, 1.6 + 0.28 * len(features)), image, footnote)


def _draw_probabilities(
    axes: Axes, values: ScoreValues, features: list[int], view: ResultView
) -> None:
    rows = np.arange(len(features))
    ref, alt = values.ref[features], values.alt[features]
    axes.hlines(rows, np.minimum(ref, alt), np.maximum(ref, alt), color="#bdbdbd", linewidth=2)
    axes.scatter(ref, rows, color=REF_COLOUR, label="reference allele", zorder=3, s=18)
    axes.scatter(alt, rows, color=ALT_COLOUR, label="alternate allele", zorder=3, s=18)
    axes.set_yticks(rows, [view.names[i] for i in features])
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("p(feature), frame- and strand-averaged")
    axes.legend(loc="lower right", fontsize=7, frameon=False)
    groups = [view.groups[i] for i in features]
    for row, group in enumerate(groups):
        if row == 0 or groups[row - 1] != group:
            if row:
                axes.axhline(row - 0.5, color="black", linewidth=0.6)
            axes.text(
                0.99,
                row - 0.45,
                group,
                ha="right",
                va="top",
                fontsize=7,
                style="italic",
                transform=axes.get_yaxis_transform(),
            )


def _draw_effects(
    axes: Axes, values: ScoreValues, features: list[int], groups: list[str], against: str
) -> None:
    rows = np.arange(len(features))
    logfold = values.logfold[features]
    axes.barh(rows, logfold, color=np.where(logfold >= 0, GAIN_COLOUR, LOSS_COLOUR), height=0.6)
    axes.axvline(0, color="black", linewidth=0.6)
    limit = float(np.max(np.abs(logfold))) or 1.0
    axes.set_xlim(-1.45 * limit, 1.45 * limit)
    axes.set_xlabel("logfold: log2 odds(alt) - log2 odds(ref)")
    for row in range(1, len(groups)):
        if groups[row] != groups[row - 1]:
            axes.axhline(row - 0.5, color="black", linewidth=0.6)
    if values.evalue is None:
        axes.set_title("no E-values: the model has no background", fontsize=7, loc="right")
        return
    axes.set_title(f"E-value against {against}; bold: <= {NOTABLE_EVALUE}", fontsize=7, loc="right")
    for position, feature in enumerate(features):
        evalue = float(values.evalue[feature])
        effect = float(values.logfold[feature])
        axes.text(
            effect + (0.04 if effect >= 0 else -0.04) * limit,
            position,
            f"E {evalue:.2g}",
            va="center",
            ha="left" if effect >= 0 else "right",
            fontsize=7,
            fontweight="bold" if evalue <= NOTABLE_EVALUE else "normal",
        )
