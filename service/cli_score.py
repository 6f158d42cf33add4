"""``logoscore score IN -o OUT [--report report.html]``: score a VCF offline, streaming, in
constant memory (a report's figures are gathered as the records pass, in bounded memory).

The output is written under a temporary name beside ``OUT`` and renamed to ``OUT`` only when
the run succeeds: a failed or killed run leaves no ``OUT`` behind (make and Snakemake would take
a partial file as up to date). ``-o -`` writes to stdout (VCF unless ``--format`` says
otherwise). ``--processes N`` spreads the host side over N worker processes
(``service.scoring.processes``). Exit status: 0 done; 1 the run failed (unreadable input,
unwritable output); 2 bad options; 3 ``--strict`` and the run warned, or fewer than
``--min-scored`` of the variants were scored (the output is complete and kept: it says why).
"""

import argparse
import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from core.effects import ALLELES, STRANDS
from core.input_limits import InputLimitError, ReadLimits
from core.status import Status
from core.vcf import VcfReadError, VcfTruncatedError, open_vcf
from service.outputs.bgzf import open_text_output
from service.outputs.formats import FormatError, OutputFormat, format_for_path, result_writer
from service.outputs.provenance import Provenance
from service.outputs.render import RunSummary, render
from service.progress import Progress
from service.report.collect import ReportData
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.pipeline import CHUNK_VARIANTS, scored_records
from service.scoring.processes import ProcessScoring
from service.scoring.shared_session import SharedMemoryError, not_scored_here
from service.selection import SelectionError, result_view
from service.settings import Settings

STDOUT = Path("-")

EXIT_FAILED, EXIT_OPTIONS, EXIT_STRICT = 1, 2, 3


class OptionError(ValueError):
    """Options that cannot give a run (exit 2)."""


def output_format_of(args: argparse.Namespace) -> tuple[OutputFormat, bool]:
    """The output's format and whether it is bgzipped: ``--format`` or the output's name."""
    if args.output == STDOUT:
        return OutputFormat(args.format or OutputFormat.VCF), False
    if args.input.exists() and args.output.exists() and args.input.samefile(args.output):
        raise OptionError(f"-o {args.output} is the input itself; write the output elsewhere")
    try:
        output_format, bgzipped = format_for_path(args.output)
    except FormatError as error:
        raise OptionError(str(error)) from error
    if args.format and args.format != output_format:
        raise OptionError(f"--format {args.format} but {args.output.name} names {output_format}")
    return output_format, bgzipped


@contextmanager
def output_file(path: Path, bgzipped: bool) -> Iterator[TextIO]:
    """``path`` opened for writing under a temporary name, renamed to ``path`` only if the
    block ends without an error; stdout for ``-``, and written directly when ``path`` is not a
    regular file (a pipe, a device)."""
    if path == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
        return
    if path.exists() and not path.is_file():
        with open_text_output(path, bgzipped) as out:
            yield out
        return
    with _replaced_on_success(path) as partial, open_text_output(partial, bgzipped) as out:
        yield out


@contextmanager
def output_bytes(path: Path) -> Iterator[BinaryIO]:
    """As ``output_file``, for bytes written as they come."""
    if path == STDOUT:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if path.exists() and not path.is_file():
        with path.open("wb") as out:
            yield out
        return
    with _replaced_on_success(path) as partial, partial.open("wb") as out:
        yield out


@contextmanager
def _replaced_on_success(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path``, renamed to ``path`` if the block ends without an error
    (after what was opened on it inside has closed), removed otherwise."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def process_chunk(engine: ScoringEngine) -> int:
    """Variants a worker process scores at a time: four model calls' worth, at least the
    single-process pipeline's chunk."""
    rows_per_variant = ALLELES * STRANDS * engine.spec.k
    return max(CHUNK_VARIANTS, 4 * engine.model.batch_rows // rows_per_variant)


def run_score(args: argparse.Namespace, settings: Settings) -> int:
    try:
        output_format, bgzipped = output_format_of(args)
    except OptionError as error:
        return fail(str(error), EXIT_OPTIONS)
    # with worker processes, the sessions open while they start (``ProcessScoring``)
    engine = open_engine(settings, not_scored_here if args.processes > 1 else None)
    try:
        view = result_view(engine.model.manifest, args.features, args.top_k)
    except SelectionError as error:
        return fail(str(error), EXIT_OPTIONS)
    provenance = Provenance.of(engine.model, engine.reference)
    summary = RunSummary.of(engine.model.manifest)
    progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    limits = ReadLimits(
        max_line_bytes=settings.max_line_bytes, max_header_lines=settings.max_header_lines
    )
    name = "stdout" if args.output == STDOUT else str(args.output)
    report = ReportData(view, engine.reference)
    pool: ProcessScoring | None = None
    try:
        try:
            with open_vcf(args.input, limits) as reader, output_file(args.output, bgzipped) as out:
                writer = result_writer(output_format, view, provenance, reader.header)
                if args.processes == 1:
                    scored = scored_records(engine, reader.records())
                else:  # the workers write each record's text too
                    pool = ProcessScoring(
                        settings,
                        engine.model,
                        writer,
                        args.processes,
                        process_chunk(engine),
                        with_values=args.report is not None,
                    )
                    scored, writer = pool.scored(reader.records()), pool
                if args.report is not None:  # gathered only when a report is asked for
                    scored = report.observe(scored)
                pieces = render(scored, writer, output_format, summary, warnings_first=False)
                for piece in pieces:  # the header, then one piece per record, then the footer
                    out.write(piece)
                    if progress is not None:
                        progress.update(summary.tally.total, reader.fraction_read())
        except BaseException:
            if progress is not None:
                progress.stop()  # end the bar's line before the message
            raise
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return fail(
                f"{name}: {error.strerror}; no complete output was written: free space (or "
                "write elsewhere) and run again",
                EXIT_FAILED,
            )
        return fail(str(error), EXIT_FAILED)
    except SharedMemoryError as error:
        return fail(str(error), EXIT_FAILED)
    except VcfTruncatedError as error:
        return fail(f"{error}; no complete output was written to {name}", EXIT_FAILED)
    except VcfReadError as error:
        return fail(str(error), EXIT_FAILED)
    except InputLimitError as error:
        setting = f"LOGOSCORE_{error.limit.upper()}"
        return fail(f"{args.input}: {error} (raise it with {setting})", EXIT_FAILED)
    if progress is not None:
        progress.finish(summary.tally.total)
    if args.report is not None:
        from service.report.page import report_page  # matplotlib, for this run only

        page = report_page(report, summary, provenance, args.input.name)
        try:
            with output_bytes(args.report) as out:
                out.write(page.encode())
        except OSError as error:
            return fail(f"{args.report}: {error.strerror}; the report was not written", EXIT_FAILED)
    return _report(summary, name, args, pool.load if pool is not None else None)


def _report(
    summary: RunSummary, name: str, args: argparse.Namespace, load: str | None = None
) -> int:
    """Counts, how busy the worker processes kept the model (``load``, with ``--processes``)
    and warnings on stderr; the strict-mode exit status."""
    tally = summary.tally
    counts = ", ".join(f"{count} {status}" for status, count in tally.summary().items() if count)
    print(f"{tally.total} variants -> {name}: {counts or 'none'}", file=sys.stderr)
    if load is not None:
        print(load, file=sys.stderr)
    warnings = summary.warnings()
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return strict_exit(args, tally.summary(), warnings)


def strict_exit(
    args: argparse.Namespace, counts: dict[str, int], warnings: list[str], command: str = "score"
) -> int:
    """0, or ``EXIT_STRICT`` when ``--min-scored`` is not met or ``--strict`` and warnings."""
    total = sum(counts.values())
    scored = counts.get(Status.SCORED.value, 0) / total if total else 0.0
    if args.min_scored is not None and scored < args.min_scored:
        return fail(
            f"{scored:.0%} of the variants were scored, fewer than --min-scored "
            f"{args.min_scored:g}; the output is complete: its statuses and messages say why",
            EXIT_STRICT,
            command,
        )
    if args.strict and warnings:
        return fail(
            "--strict: the run warned (above); the output is complete", EXIT_STRICT, command
        )
    return 0


def fail(message: str, code: int, command: str = "score") -> int:
    print(f"logoscore {command}: {message}", file=sys.stderr)
    return code
