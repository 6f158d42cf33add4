"""The one render path: scored records in, an output format's text out, and the run's summary.

Every entry point that writes records — ``POST /score/vcf`` (NDJSON, TSV, VCF), a job's result
and ``logoscore score`` — renders through ``render``, so they all count statuses, warn and
report malformed lines the same way. They differ only in ``warnings_first``:

- ``True``: the records are rendered, then the header (with the run's warnings) goes before
  them (``/score/vcf``'s TSV and VCF: the whole text is sent at once); a job's result, whose
  scores are stored, is read twice instead (``render_twice``: counted, then rendered), so it
  streams however large the job;
- ``False``: the header goes first, the records follow as they are scored, the warnings come
  at the end (NDJSON responses and the CLI, which stream: memory stays flat).

A malformed line (not a VCF record at all) cannot be written back into an annotated VCF: it is
left out of that format only and reported with its line number (a header warning, or the
CLI's stderr); TSV and NDJSON carry it as an ``invalid`` row.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from core.manifest import ModelManifest
from core.status import StatusTally
from core.vcf import VcfRecord
from service.outputs.formats import OutputFormat, ResultWriter
from service.scoring.scores import VariantScore

ScoredRecord = tuple[VcfRecord, list[VariantScore]]
_LINES_SHOWN = 10


@dataclass
class RunSummary:
    """Status counts of a run, and the lines a VCF output had to leave out."""

    assembly: str
    model_warnings: list[str] = field(default_factory=list)
    """Warnings every run with this model gives (``ModelManifest.missing_scores``)."""
    tally: StatusTally = field(default_factory=StatusTally)
    left_out: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, manifest: ModelManifest) -> "RunSummary":
        return cls(manifest.assembly, list(manifest.missing_scores.values()))

    def add(
        self, record: VcfRecord, scores: list[VariantScore], output_format: OutputFormat
    ) -> None:
        for score in scores:
            self.tally.add(score.status)
        if record.malformed and output_format is OutputFormat.VCF:
            self.left_out.append(record.line)

    def warnings(self) -> list[str]:
        """The tally's warnings, then the left-out lines' (if any)."""
        warnings = self.tally.warnings(self.assembly) + self.model_warnings
        if self.left_out:
            lines = ", ".join(map(str, self.left_out[:_LINES_SHOWN]))
            more = " ..." if len(self.left_out) > _LINES_SHOWN else ""
            warnings.append(
                f"{len(self.left_out)} malformed line(s) are not VCF records and are left out of "
                f"the VCF output (lines {lines}{more}); their status is 'invalid' in TSV/NDJSON "
                "output"
            )
        return warnings


def render(
    scored: Iterable[ScoredRecord],
    writer: ResultWriter,
    output_format: OutputFormat,
    summary: RunSummary,
    warnings_first: bool,
) -> Iterator[str]:
    """The output's text, piece by piece; ``summary`` counts the run as it goes."""
    if warnings_first:
        body = "".join(_records(scored, writer, output_format, summary))
        yield writer.header(summary.warnings()) + body
    else:
        yield writer.header([])
        yield from _records(scored, writer, output_format, summary)
    yield writer.footer(summary.tally.summary(), summary.warnings())


def render_twice(
    scored: Callable[[], Iterable[ScoredRecord]],
    writer: ResultWriter,
    output_format: OutputFormat,
    summary: RunSummary,
) -> Iterator[str]:
    """As ``render`` with the warnings first, without holding the output: ``scored()`` is read
    once to count, then again to render (stored scores: a job's result)."""
    for record, scores in scored():
        summary.add(record, scores, output_format)
    yield writer.header(summary.warnings())
    for record, scores in scored():
        yield writer.record(record, scores)
    yield writer.footer(summary.tally.summary(), summary.warnings())


def _records(
    scored: Iterable[ScoredRecord],
    writer: ResultWriter,
    output_format: OutputFormat,
    summary: RunSummary,
) -> Iterator[str]:
    for record, scores in scored:
        summary.add(record, scores, output_format)
        yield writer.record(record, scores)
