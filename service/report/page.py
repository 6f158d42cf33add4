"""The report as one self-contained HTML page: inline SVG and inline style, no script, no font,
no request of its own (its ``Content-Security-Policy`` forbids any), so it opens offline, saved
to disk or mailed. Nothing in it changes between two renderings of the same run: no clock."""

from html import escape

from core.calibration import PRIORITY_DESCRIPTION
from core.scoring import SCORING_VERSION
from core.status import Status
from core.version import logoscore_version
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary
from service.plots.figures import ImageFormat, svg_element
from service.plots.variant_plot import variant_plot
from service.report.charts import contig_chart, percentile_chart
from service.report.collect import ReportData
from service.results import group_summaries
from service.summary_line import summary_line

REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page's Content-Security-Policy (also sent as a header by ``GET /jobs/{id}/report``)."""
VARIANTS_PLOTTED = 5

_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.9em; word-break: break-all; } td code { white-space: nowrap; }
.warnings li { color: #8a4b00; } figure { margin: 1em 0; } svg { max-width: 100%; height: auto; }
figcaption, .note { font-size: 0.85em; color: #555; }
"""


def report_page(data: ReportData, summary: RunSummary, provenance: Provenance, title: str) -> str:
    """The whole page for the run ``data`` gathered and ``summary`` counted (``title`` names
    the run)."""
    sections = [
        _provenance(provenance),
        _counts(summary),
        _percentiles(data, summary),
        _top_variants(data),
        _contigs(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{REPORT_POLICY}">'
        f"<title>logoscore report: {escape(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f"<h1>logoscore report: {escape(title)}</h1>"
        f"<p>{data.variants} variants (one per input ALT).</p>\n"
        + "\n".join(sections)
        + f'\n<footer class="note">logoscore {escape(logoscore_version())}, scoring '
        f"{escape(SCORING_VERSION)}</footer></body></html>\n"
    )


def _provenance(provenance: Provenance) -> str:
    model, reference = provenance.model, provenance.reference
    rows = [
        ("model", escape(f"{model.name} {model.version} ({model.precision}, {model.assembly})")),
        ("model sha256", f"<code>{escape(model.sha256)}</code>"),
        ("reference", escape(reference.file)),
        ("reference seqcol digest", f"<code>{escape(reference.digest)}</code>"),
    ]
    body = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    return f'<section id="provenance"><h2>Model and reference</h2><table>{body}</table></section>'


def _counts(summary: RunSummary) -> str:
    counts = summary.tally.summary()
    rows = "".join(
        f'<tr><td>{escape(status)}</td><td class="n">{count}</td></tr>'
        for status, count in counts.items()
    )
    warnings = "".join(f"<li>{escape(w)}</li>" for w in summary.warnings())
    return (
        '<section id="counts"><h2>Status counts</h2>'
        f"<table><tr><th>status</th><th>variants</th></tr>{rows}</table>"
        + (f'<h3>Warnings</h3><ul class="warnings">{warnings}</ul>' if warnings else "")
        + "</section>"
    )


def _percentiles(data: ReportData, summary: RunSummary) -> str:
    head = '<section id="percentiles"><h2>Priority percentiles</h2>'
    if not data.has_percentiles:
        why = (
            "no variant was scored"
            if not summary.tally.counts[Status.SCORED]
            else "this model gives no priority percentile (the warnings above say why)"
        )
        return head + f'<p class="note">No percentiles: {why}.</p></section>'
    return (
        head
        + f'<p class="note">priority: {escape(PRIORITY_DESCRIPTION)}.</p>'
        + f"<figure>{svg_element(percentile_chart(data))}</figure></section>"
    )


def _top_variants(data: ReportData) -> str:
    strongest = data.strongest()
    head = '<section id="top"><h2>Top variants</h2>'
    if not strongest:
        return head + '<p class="note">No variant was scored.</p></section>'
    rows = []
    for rank, score in enumerate(strongest, 1):
        values = score.values
        percentile = (
            "" if values is None or values.rank is None else f"{values.rank.percentile:.1f}"
        )
        groups = group_summaries(score, data.view)
        evalues = [g.evalue for g in groups if g.evalue is not None]
        rows.append(
            f'<tr><td class="n">{rank}</td><td><code>{escape(score.parsed.origin.text)}</code></td>'
            f"<td>{escape(score.parsed.origin.record_id or '')}</td>"
            f'<td class="summary">{escape(summary_line(score, data.view) or "")}</td>'
            f'<td class="n">{percentile}</td>'
            f'<td class="n">{"" if not evalues else f"{min(evalues):.3g}"}</td></tr>'
        )
    table = (
        "<table><tr><th>#</th><th>variant</th><th>ID</th><th>summary</th>"
        "<th>priority percentile</th><th>smallest group E-value</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    figures = "".join(
        f"<figure>{svg_element(variant_plot(score, data.view, ImageFormat.SVG))}"
        f"<figcaption>#{rank} {escape(score.parsed.origin.text)}</figcaption></figure>"
        for rank, score in enumerate(strongest[:VARIANTS_PLOTTED], 1)
    )
    order = (
        "by priority percentile"
        if data.has_percentiles
        else "by largest |logfold| (no priority percentiles for this model)"
    )
    return (
        head
        + f'<p class="note">The {len(strongest)} strongest, {order}.</p>'
        + table
        + figures
        + "</section>"
    )


def _contigs(data: ReportData) -> str:
    head = '<section id="chromosomes"><h2>Effects along each chromosome</h2>'
    if not data.contigs:
        return head + '<p class="note">No variant was scored.</p></section>'
    return head + f"<figure>{svg_element(contig_chart(data))}</figure></section>"
