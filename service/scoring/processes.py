"""The scoring pipeline over several processes: each scores whole chunks of records with an
engine of its own (model session, reference, cache), so the host side — normalisation, windows,
tokens, score math, about 0.15 ms a variant on one core (``bench/host_side.py``) — runs on as
many cores as there are processes, and their model calls interleave on one GPU. The calling
process reads the input and writes the output, in input order; at most ``2 * processes`` chunks
are in flight, so memory stays flat however long the input.

``logoscore score --processes N``: worth it where the model is fast next to one core's host
side (a GPU: one process tops out near 2,000 variants/s); on a CPU the model already takes
every core (``--threads``).
"""

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from core.variants import ParsedInput
from core.vcf import VcfRecord
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.pipeline import batches, score_per_record
from service.scoring.scores import VariantScore
from service.settings import Settings

_ENGINE: list[ScoringEngine] = []
"""This worker process's engine (one), opened once by ``_open``."""


def _open(settings: Settings) -> None:
    _ENGINE.append(open_engine(settings))


def _score(inputs: list[list[ParsedInput]]) -> list[list[VariantScore]]:
    return score_per_record(_ENGINE[0], inputs)


def scored_records_in_processes(
    settings: Settings,
    records: Iterable[VcfRecord],
    processes: int,
    chunk_variants: int,
) -> Iterator[tuple[VcfRecord, list[VariantScore]]]:
    """Each record with one score per input, in order, scored by ``processes`` worker
    processes (started here, each loading the model ``settings`` name)."""
    context = multiprocessing.get_context("spawn")  # no forked onnxruntime or CUDA state
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_open, initargs=(settings,)
    ) as pool:
        in_flight: deque[tuple[list[VcfRecord], Future[list[list[VariantScore]]]]] = deque()
        for chunk in batches(records, chunk_variants):
            in_flight.append((chunk, pool.submit(_score, [record.inputs for record in chunk])))
            if len(in_flight) > 2 * processes:
                done, scores = in_flight.popleft()
                yield from zip(done, scores.result(), strict=True)
        while in_flight:
            done, scores = in_flight.popleft()
            yield from zip(done, scores.result(), strict=True)
