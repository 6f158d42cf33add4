"""The scoring pipeline: a VCF streamed through the engine, records in, ``(record, scores)``
out, in file order, a chunk of variants at a time (memory stays flat however long the file).

Up to ``IN_FLIGHT`` chunks are scored at once on a small thread pool: while one chunk is in
the model call (onnxruntime releases the GIL; on a GPU the call is mostly waiting), the next
one is read, normalised and tokenized, and the previous one written. Results still come out in
input order. With a ``deadline`` (``time.monotonic()``), no chunk starts after it: work for a
request that timed out stops within one chunk.
"""

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from core.input_limits import check_deadline
from core.variants import ParsedInput
from core.vcf import VcfRecord
from service.scoring.engine import ScoringEngine
from service.scoring.scores import VariantScore

CHUNK_VARIANTS = 256
IN_FLIGHT = 2

Chunk = list[VcfRecord]


def batches(records: Iterable[VcfRecord], variants_per_batch: int) -> Iterator[Chunk]:
    """Consecutive records, about ``variants_per_batch`` input ALTs each (a record is never
    split): the pipeline's model batches here, and a job's chunks (``service.jobs.chunks``)."""
    pending: Chunk = []
    variants = 0
    for record in records:
        pending.append(record)
        variants += len(record.inputs)
        if variants >= variants_per_batch:
            yield pending
            pending, variants = [], 0
    if pending:
        yield pending


def score_per_record(
    engine: ScoringEngine, inputs: list[list[ParsedInput]]
) -> list[list[VariantScore]]:
    """The scores of each record's inputs, in one engine call for them all."""
    scores = engine.score([parsed for record in inputs for parsed in record])
    per_record, offset = [], 0
    for record in inputs:
        per_record.append(scores[offset : offset + len(record)])
        offset += len(record)
    return per_record


def _score(engine: ScoringEngine, records: Chunk) -> list[list[VariantScore]]:
    return score_per_record(engine, [record.inputs for record in records])


C = TypeVar("C")
R = TypeVar("R")


def in_order(
    chunks: Iterable[C], submit: Callable[[C], Future[R]], limit: int
) -> Iterator[tuple[C, R]]:
    """Each chunk with its result, in input order, at most ``limit + 1`` submitted and not yet
    taken (memory stays flat however many chunks come)."""
    pending: deque[tuple[C, Future[R]]] = deque()
    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) > limit:
            done, result = pending.popleft()
            yield done, result.result()
    while pending:
        done, result = pending.popleft()
        yield done, result.result()


def scored_records(
    engine: ScoringEngine,
    records: Iterable[VcfRecord],
    chunk_variants: int = CHUNK_VARIANTS,
    deadline: float | None = None,
) -> Iterator[tuple[VcfRecord, list[VariantScore]]]:
    """Each record with one score per input (per ALT), in order; ``DeadlinePassedError`` once
    ``deadline`` has passed."""

    def chunks() -> Iterator[Chunk]:
        for chunk in batches(records, chunk_variants):
            check_deadline(deadline)
            yield chunk

    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="score") as pool:

        def submit(chunk: Chunk) -> Future[list[list[VariantScore]]]:
            return pool.submit(_score, engine, chunk)

        for done, scores in in_order(chunks(), submit, IN_FLIGHT):
            yield from zip(done, scores, strict=True)


def scored_inputs(
    engine: ScoringEngine, inputs: list[ParsedInput], deadline: float | None = None
) -> list[VariantScore]:
    """One score per input, in order, ``CHUNK_VARIANTS`` at a time; ``DeadlinePassedError``
    once ``deadline`` has passed."""
    scores: list[VariantScore] = []
    for start in range(0, len(inputs), CHUNK_VARIANTS):
        check_deadline(deadline)
        scores += engine.score(inputs[start : start + CHUNK_VARIANTS])
    return scores
