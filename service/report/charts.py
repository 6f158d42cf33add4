"""The report's two run-wide charts: priority percentiles against the model's background, and
the largest effect along each contig."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from service.plots.figures import ALT_COLOUR, REF_COLOUR, ImageFormat, drawn
from service.report.collect import CLASSES, PERCENTILE_BINS, ReportData

MAX_CONTIGS_DRAWN = 25
_CLASS_LABELS = {"snv": "SNVs (against random SNVs)", "indel": "indels (against random indels)"}
_CLASS_COLOURS = {"snv": ALT_COLOUR, "indel": REF_COLOUR}


def percentile_chart(data: ReportData) -> bytes:
    """Per variant class, how many variants fall in each band of priority percentile; a run of
    random variants would fill every band to the dashed line."""
    edges = np.linspace(0, 100, PERCENTILE_BINS + 1)
    width = 100 / PERCENTILE_BINS

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        drawn_classes = [name for name in CLASSES if int(data.percentiles[name].sum())]
        share = width / max(1, len(drawn_classes))
        for offset, name in enumerate(drawn_classes):
            counts = data.percentiles[name]
            axes.bar(
                edges[:-1] + offset * share,
                counts,
                width=share,
                align="edge",
                color=_CLASS_COLOURS[name],
                label=f"{int(counts.sum())} {_CLASS_LABELS[name]}",
            )
            expected = counts.sum() / PERCENTILE_BINS
            axes.hlines(expected, 0, 100, color=_CLASS_COLOURS[name], linestyle="--", linewidth=1)
        axes.set_xlim(0, 100)
        axes.set_xlabel("priority percentile: share (%) of background variants ranked lower")
        axes.set_ylabel("variants")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(fontsize=7, frameon=False, loc="upper right", bbox_to_anchor=(1, 1.18))
        axes.set_title(
            "dashed: what random variants of the model's genome would give per band",
            fontsize=8,
            loc="left",
        )

    return drawn(draw, (8.0, 3.0), ImageFormat.SVG)


def contig_chart(data: ReportData) -> bytes:
    """Per contig with scored variants (the first ``MAX_CONTIGS_DRAWN``), the largest effect in
    each stretch of its sequence, by position."""
    names = list(data.contigs)[:MAX_CONTIGS_DRAWN]

    def draw(figure: Figure) -> None:
        panels = figure.subplots(len(names), 1, squeeze=False)[:, 0]
        top = max(float(np.nanmax(data.contigs[name].effect)) for name in names)
        for axes, name in zip(panels, names, strict=True):
            effects = data.contigs[name]
            held = ~np.isnan(effects.effect)
            axes.scatter(
                effects.position[held] / 1e6,
                effects.effect[held],
                s=8,
                color=ALT_COLOUR,
                linewidths=0,
                rasterized=bool(held.sum() > 2000),
            )
            axes.set_xlim(effects.span.start / 1e6, effects.span.end / 1e6)
            axes.set_ylim(0, top * 1.1 or 1.0)
            axes.set_ylabel(name, rotation=0, ha="right", va="center")
        panels[-1].set_xlabel("position (Mb)")
        panels[0].set_title(
            "largest |logfold| over the reported features, the strongest variant per "
            "1/1000 of the sequence held",
            fontsize=8,
            loc="left",
        )

    return drawn(draw, (8.0, 0.6 + 1.1 * len(names)), ImageFormat.SVG)
