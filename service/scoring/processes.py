"""The scoring pipeline over several processes: each scores whole chunks of records with an
engine of its own (reference, cache, score math) and writes their output text, so the host
side — normalisation, windows, tokens, score math, about 0.1 ms a variant on one core, and the
output's text, about as much (``bench/host_side.py``) — runs on as many cores as there are
processes. Their model calls all go to the sessions of the calling process
(``service.scoring.shared_session``), which also reads the input and writes the text out, in
input order; at most ``2 * processes`` chunks are in flight, so memory stays flat however long
the input.

``logoscore score --processes N``: worth it where the model is fast next to one core's host
side (a GPU: one process tops out near 1,500 variants/s on an H200); on a CPU the model already
takes every core (``--threads``).
"""

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from core.status import Status
from core.vcf import VcfRecord, parse_record
from service.outputs.formats import ResultWriter
from service.scoring.engine import ScoringEngine, session_openers
from service.scoring.model import OnnxModel
from service.scoring.pipeline import batches, in_order, score_per_record
from service.scoring.scores import VariantScore
from service.scoring.shared_session import ModelOpener, SessionAccess, SessionServer
from service.settings import Settings

RawRecord = tuple[int, int, str]
"""A record as sent to a worker: its index, line number and text (parsed again there: a tenth
of the bytes and of the calling process's time that the parsed record costs to send)."""

Outcome = tuple[Status, str | None]
"""A score's status and message: all the calling process needs of it without a report."""

Rendered = list[tuple[list[VariantScore] | list[Outcome], str]]
"""Each record's scores (whole, for a report) or their outcomes, and its output text."""

_WORKER: list[tuple[ScoringEngine, ResultWriter]] = []
"""This worker process's engine and writer (one pair), made once by ``_open``."""


def _open(settings: Settings, writer: ResultWriter, sessions: SessionAccess) -> None:
    _WORKER.append((sessions.open_engine(settings), writer))


def _score(records: list[RawRecord], with_values: bool) -> Rendered:
    engine, writer = _WORKER[0]
    parsed = [parse_record(text, index, line) for index, line, text in records]
    per_record = score_per_record(engine, [record.inputs for record in parsed])
    return [
        (
            scores if with_values else [(score.status, score.message) for score in scores],
            writer.record(record, scores),
        )
        for record, scores in zip(parsed, per_record, strict=True)
    ]


def _scores(record: VcfRecord, sent: Sequence[VariantScore | Outcome]) -> list[VariantScore]:
    """A record's scores from what its worker sent: whole, or rebuilt from their outcomes."""
    scores = []
    for parsed, each in zip(record.inputs, sent, strict=True):
        if isinstance(each, VariantScore):
            scores.append(each)
        else:
            status, message = each
            scores.append(VariantScore(parsed, status, message))
    return scores


def _started() -> None:
    """Nothing: a task that makes the pool start a process."""


class ProcessScoring:
    """Records scored and written by ``processes`` worker processes (started by ``scored``,
    each with the model metadata and reference ``settings`` name), their model calls run in
    this process by the sessions ``sessions`` open (default ``session_openers``: sessions of
    ``model``'s file, opened while the workers start; ``model`` itself needs none, its runner
    ``not_scored_here``). A ``ResultWriter`` itself: ``record`` gives the text a worker wrote
    for that record, header and footer come from ``writer``. The scores come back whole only
    ``with_values`` (a report's); otherwise as their statuses and messages, all the run's counts
    need (the text holds the rest: sending whole scores, without their values, took a sixth of
    the calling process's time, ``bench/host_side.py``)."""

    def __init__(
        self,
        settings: Settings,
        model: OnnxModel,
        writer: ResultWriter,
        processes: int,
        chunk_variants: int,
        with_values: bool = False,
        sessions: list[ModelOpener] | None = None,
    ) -> None:
        self.settings, self.model, self.writer = settings, model, writer
        self.sessions = session_openers(settings, model) if sessions is None else sessions
        self.processes, self.chunk_variants = processes, chunk_variants
        self.with_values = with_values
        self.load = "model sessions: not started"
        """How busy the sessions were (``CallLoad``), once ``scored`` is done: one line."""
        self._texts: dict[int, str] = {}

    def header(self, warnings: list[str]) -> str:
        return self.writer.header(warnings)

    def record(self, record: VcfRecord, scores: list[VariantScore]) -> str:
        return self._texts.pop(record.index)

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str:
        return self.writer.footer(summary, warnings)

    def scored(
        self, records: Iterable[VcfRecord]
    ) -> Iterator[tuple[VcfRecord, list[VariantScore]]]:
        """Each record with one score per input, in order (its text kept for ``record``;
        values as ``with_values`` says)."""
        context = multiprocessing.get_context("spawn")  # no forked onnxruntime or CUDA state
        with (
            SessionServer(self.model, self.processes, context) as server,
            ProcessPoolExecutor(
                self.processes,
                mp_context=context,
                initializer=_open,
                initargs=(self.settings, self.writer, server.access),
            ) as pool,
        ):
            for _ in range(self.processes):  # each starts now (importing, opening its engine)
                pool.submit(_started)
            server.open_sessions(self.sessions)  # meanwhile

            def submit(chunk: list[VcfRecord]) -> Future[Rendered]:
                raw = [(record.index, record.line, record.text) for record in chunk]
                return pool.submit(_score, raw, self.with_values)

            chunks = batches(records, self.chunk_variants)
            for done, rendered in in_order(chunks, submit, 2 * self.processes):
                for record, (sent, text) in zip(done, rendered, strict=True):
                    self._texts[record.index] = text
                    yield record, _scores(record, sent)
            self.load = server.load.figures().describe(server.sessions)
