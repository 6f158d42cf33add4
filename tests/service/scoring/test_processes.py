"""Scoring over worker processes gives what one process gives, in input order."""

from pathlib import Path

import numpy as np
import pytest

from core.input_limits import ReadLimits
from core.manifest import load_manifest
from core.vcf import VcfRecord, open_vcf
from service.outputs.formats import OutputFormat, result_writer
from service.outputs.provenance import Provenance
from service.scoring.engine import open_engine
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


def test_worker_processes_score_every_record_in_order_as_one_process_does() -> None:
    records = _records(THOUSAND_GENOMES_VCF)
    settings = Settings()
    engine = open_engine(settings)
    expected = list(scored_records(engine, records))
    # chunks of 5 variants over 2 processes: several chunks in flight, finishing out of order
    view = result_view(DEMO, None, None)
    writer = result_writer(
        OutputFormat.TSV, view, Provenance.of(engine.model, engine.reference), []
    )
    pool = ProcessScoring(settings, engine.model, writer, 2, chunk_variants=5, with_values=True)
    actual = list(pool.scored(records))
    # each record's text, written by a worker, as the calling process would write it
    for record, scores in actual:
        assert pool.record(record, scores) == writer.record(record, scores)
    assert [record.index for record, _ in actual] == [record.index for record in records]
    assert any(s.values is not None for _, scores in actual for s in scores)
    for (_, want), (_, got) in zip(expected, actual, strict=True):
        assert [s.status for s in got] == [s.status for s in want]
        for a, b in zip(got, want, strict=True):
            if a.values is not None and b.values is not None:
                np.testing.assert_allclose(a.values.logfold, b.values.logfold, atol=1e-6)
                assert a.values.priority == b.values.priority


def test_without_values_the_scores_come_back_with_their_statuses_and_text_only() -> None:
    records = _records(THOUSAND_GENOMES_VCF)
    settings = Settings()
    engine = open_engine(settings)
    expected = list(scored_records(engine, records))
    view = result_view(DEMO, None, None)
    writer = result_writer(
        OutputFormat.TSV, view, Provenance.of(engine.model, engine.reference), []
    )
    pool = ProcessScoring(settings, engine.model, writer, 2, chunk_variants=5)
    for (record, want), (_, got) in zip(expected, pool.scored(records), strict=True):
        assert [s.status for s in got] == [s.status for s in want]
        assert [s.normalized for s in got] == [s.normalized for s in want]
        assert all(s.values is None for s in got)
        assert pool.record(record, got) == writer.record(record, want)
