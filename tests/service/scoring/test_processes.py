"""Scoring over worker processes gives what one process gives, in input order."""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from core.input_limits import ReadLimits
from core.manifest import load_manifest
from core.vcf import VcfRecord, open_vcf
from service.outputs.formats import OutputFormat, ResultWriter, result_writer
from service.outputs.provenance import Provenance
from service.outputs.render import ScoredRecord
from service.scoring.engine import ScoringEngine, open_engine
from service.scoring.pipeline import scored_records
from service.scoring.processes import ProcessScoring
from service.selection import result_view
from service.settings import DEMO_MODEL_DIR, Settings
from tests.conftest import THOUSAND_GENOMES_VCF

pytestmark = pytest.mark.slow  # worker processes start and load the model

RECORDS = 24
DEMO = load_manifest(DEMO_MODEL_DIR)


def _records(path: Path) -> list[VcfRecord]:
    with open_vcf(path, ReadLimits()) as reader:
        return list(reader.records())[:RECORDS]


@dataclass(frozen=True)
class OneProcess:
    """The records, as one process scores them, and the writer of their text."""

    records: list[VcfRecord]
    expected: list[ScoredRecord]
    engine: ScoringEngine
    writer: ResultWriter


@pytest.fixture(scope="module")
def one_process() -> OneProcess:
    records = _records(THOUSAND_GENOMES_VCF)
    engine = open_engine(Settings())
    writer = result_writer(
        OutputFormat.TSV,
        result_view(DEMO, None, None),
        Provenance.of(engine.model, engine.reference),
        [],
    )
    return OneProcess(records, list(scored_records(engine, records)), engine, writer)


def test_worker_processes_score_every_record_in_order_as_one_process_does(
    one_process: OneProcess,
) -> None:
    records, writer = one_process.records, one_process.writer
    # chunks of 5 variants over 2 processes: several chunks in flight, finishing out of order
    pool = ProcessScoring(
        Settings(), one_process.engine.model, writer, 2, chunk_variants=5, with_values=True
    )
    actual = list(pool.scored(records))
    # each record's text, written by a worker, as the calling process would write it
    for record, scores in actual:
        assert pool.record(record, scores) == writer.record(record, scores)
    assert [record.index for record, _ in actual] == [record.index for record in records]
    # how busy the session was: some calls, none over the CPU's 80 rows, busy within 0-100%
    load = re.fullmatch(
        r"model sessions \(1\): (\d+) calls of (\d+) rows on average in [\d.]+ s, "
        r"a call running (\d+)% of the time",
        pool.load,
    )
    assert load is not None, pool.load
    assert int(load[1]) >= 1 and 0 < int(load[2]) <= 80 and 0 < int(load[3]) <= 100
    assert any(s.values is not None for _, scores in actual for s in scores)
    for (_, want), (_, got) in zip(one_process.expected, actual, strict=True):
        assert [s.status for s in got] == [s.status for s in want]
        for a, b in zip(got, want, strict=True):
            if a.values is not None and b.values is not None:
                np.testing.assert_allclose(a.values.logfold, b.values.logfold, atol=1e-6)
                assert a.values.priority == b.values.priority


def test_without_values_the_scores_come_back_with_their_statuses_and_text_only(
    one_process: OneProcess,
) -> None:
    writer = one_process.writer
    pool = ProcessScoring(Settings(), one_process.engine.model, writer, 2, chunk_variants=5)
    scored = pool.scored(one_process.records)
    for (record, want), (_, got) in zip(one_process.expected, scored, strict=True):
        assert [(s.parsed, s.status, s.message) for s in got] == [
            (s.parsed, s.status, s.message) for s in want
        ]
        assert all(s.normalized is None and s.values is None for s in got)
        assert pool.record(record, got) == writer.record(record, want)
