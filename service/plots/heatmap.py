"""The picture of an in-silico mutagenesis: per feature, a heatmap of position x base coloured by
the logfold of changing the reference base to that base, under a track of the mean logfold of
the three changes at each position (what a base matters to the feature)."""

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from core.ism import BASES
from service.mutagenesis import Mutagenesis
from service.plots.counts import DEFAULT_FEATURES_DRAWN, MAX_FEATURES_DRAWN
from service.plots.figures import (
    EFFECT_COLOURMAP,
    GAIN_COLOUR,
    LOSS_COLOUR,
    ImageFormat,
    drawn,
)
from service.selection import ResultView

_LETTERS_UP_TO = 60
"""Regions up to this length have their reference bases written under the map."""


def strongest_features(
    found: Mutagenesis, candidates: list[int], count: int = DEFAULT_FEATURES_DRAWN
) -> list[int]:
    """The ``count`` features among ``candidates`` with the largest |logfold| anywhere in the
    region, strongest first (model order where equal, and where nothing was scored)."""
    effects = np.abs(found.logfold[:, :, candidates])
    peak = np.zeros(len(candidates))
    if not np.isnan(effects).all():
        peak = np.nanmax(effects, axis=(0, 1))
    return [candidates[int(i)] for i in np.argsort(-peak, kind="stable")[:count]]


def drawn_features(found: Mutagenesis, view: ResultView, asked: bool) -> list[int]:
    """The features a map draws: of those ``view`` reports, the strongest in the region, as many
    as were ``asked`` for (at most ``MAX_FEATURES_DRAWN``) or ``DEFAULT_FEATURES_DRAWN``."""
    count = min(MAX_FEATURES_DRAWN, len(view.selected)) if asked else DEFAULT_FEATURES_DRAWN
    return strongest_features(found, view.selected, count)


def heatmap(
    found: Mutagenesis,
    features: list[int],
    names: list[str],
    image: ImageFormat,
    footnote: str | None = None,
) -> bytes:
    """The mutagenesis map of ``features`` (indices into the model's ``names``), ``footnote``
    (the model and reference: ``Provenance.footnote``) under it."""
    positions = len(found.sites)
    width = min(16.0, max(7.5, 2.5 + 0.09 * positions))

    def draw(figure: Figure) -> None:
        grid = figure.add_gridspec(
            2 * len(features), 2, height_ratios=[1, 1.4] * len(features), width_ratios=[1, 0.015]
        )
        for row, feature in enumerate(features):
            track = figure.add_subplot(grid[2 * row, 0])
            cells = figure.add_subplot(grid[2 * row + 1, 0], sharex=track)
            scale = figure.add_subplot(grid[2 * row + 1, 1])
            _draw_feature(found, feature, names[feature], track, cells, scale)
        figure.suptitle(
            f"In-silico mutagenesis of {found.region} ({positions} bp)\n"
            "logfold = log2 odds(alt) - log2 odds(ref) of each base changed to A, C, G or T\n"
            "dot: the reference base; grey: not scored; bars: mean of the three changes",
            fontsize=8,
        )

    return drawn(draw, (width, 0.8 + 2.0 * len(features)), image, footnote)


def _draw_feature(
    found: Mutagenesis, feature: int, name: str, track: Axes, cells: Axes, scale: Axes
) -> None:
    values = found.logfold[:, :, feature]  # P B
    start = found.region.start
    x = np.arange(start, start + len(found.sites))
    scored = ~np.isnan(values).all(axis=1)
    mean = np.zeros(len(x))
    mean[scored] = values[scored].sum(axis=1) / (len(BASES) - 1)  # the reference's cell is 0
    track.bar(x, mean, width=1.0, color=np.where(mean >= 0, GAIN_COLOUR, LOSS_COLOUR))
    track.axhline(0, color="black", linewidth=0.5)
    track.set_ylabel("mean", fontsize=7)
    track.set_title(name, loc="left", fontsize=9, fontweight="bold")
    track.tick_params(labelbottom=False)
    peak = float(np.nanmax(np.abs(values))) if scored.any() else 0.0
    limit = peak if peak > 0 else 1.0
    masked = np.ma.masked_invalid(values.T)
    colours = cells.imshow(
        masked,
        aspect="auto",
        cmap=matplotlib.colormaps[EFFECT_COLOURMAP].with_extremes(bad="#d9d9d9"),  # unscored
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
        extent=(start - 0.5, start + len(x) - 0.5, len(BASES) - 0.5, -0.5),
    )
    reference = [
        (site.site.pos, BASES.index(site.site.ref))
        for site in found.sites
        if site.site.ref in BASES and not np.isnan(values[site.site.pos - start]).all()
    ]
    if reference:
        ref_x, ref_y = zip(*reference, strict=True)
        cells.scatter(ref_x, ref_y, s=4, color="black", marker="o", linewidths=0)
    cells.set_yticks(range(len(BASES)), BASES)
    cells.set_xlim(start - 0.5, start + len(x) - 0.5)
    cells.ticklabel_format(axis="x", style="plain", useOffset=False)
    if len(x) <= _LETTERS_UP_TO:
        cells.set_xticks(x, [site.site.ref or "-" for site in found.sites], fontsize=6)
        cells.set_xlabel(f"reference base, {found.region.contig}:{start}-{found.region.end}")
    else:
        cells.set_xlabel(f"position on {found.region.contig}")
    figure = cells.get_figure()
    assert figure is not None
    bar = figure.colorbar(colours, cax=scale)
    bar.set_label("logfold", fontsize=7)
