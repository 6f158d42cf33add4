"""Figures drawn with matplotlib's Agg backend (no display, no pyplot) and written as SVG or
PNG, the same bytes for the same input.

Deterministic output: SVG element ids are salted with a constant (``svg.hashsalt``) instead of
a random one, and neither format carries a date or the library's version. SVG text stays text
(``svg.fonttype: none``): smaller, searchable, and drawn in the reader's own sans-serif font, so
no font is fetched or embedded. matplotlib's settings are process-wide, so figures are saved one
at a time, under a lock.
"""

import io
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class ImageFormat(StrEnum):
    SVG = "svg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        return IMAGE_MEDIA_TYPES[self]


IMAGE_MEDIA_TYPES = {ImageFormat.SVG: "image/svg+xml", ImageFormat.PNG: "image/png"}

STYLE: dict[str, Any] = {
    "svg.hashsalt": "logoscore",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_METADATA = {ImageFormat.SVG: {"Date": None}, ImageFormat.PNG: {"Software": None}}
PNG_DPI = 110
REF_COLOUR = "#4d4d4d"
ALT_COLOUR = "#d95f02"
GAIN_COLOUR = "#b2182b"
LOSS_COLOUR = "#2166ac"
EFFECT_COLOURMAP = "RdBu_r"
"""Blue for a loss, red for a gain, white for none: every effect map."""

_LOCK = threading.Lock()


def drawn(
    draw: Callable[[Figure], None],
    size: tuple[float, float],
    image: ImageFormat,
    footnote: str | None = None,
) -> bytes:
    """The figure of ``size`` inches that ``draw`` fills, as ``image`` bytes, with ``footnote``
    (what computed it) under it."""
    with _LOCK, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        if footnote:
            figure.supxlabel(footnote, x=0.01, ha="left", fontsize=6, color="#666666")
        buffer = io.BytesIO()
        figure.savefig(buffer, format=image.value, dpi=PNG_DPI, metadata=_METADATA[image])
    return buffer.getvalue()


def svg_element(svg: bytes) -> str:
    """An SVG image as an element to put inline in an HTML page: its XML prologue, DOCTYPE and
    RDF metadata dropped."""
    text = svg.decode()
    element = text[text.index("<svg") :]
    if "<metadata>" in element:
        element = (
            element[: element.index("<metadata>")] + element[element.index("</metadata>") + 11 :]
        )
    return element


def image_format_for_request(requested: str | None, accept: str | None) -> ImageFormat | None:
    """``format=`` wins (``json`` gives ``None``); else the first image media type of
    ``Accept``; else ``None``: JSON."""
    if requested is not None:
        return None if requested == "json" else ImageFormat(requested)
    for part in (accept or "").split(","):
        media_type = part.split(";")[0].strip().lower()
        for image, known in IMAGE_MEDIA_TYPES.items():
            if media_type == known:
                return image
    return None
