"""A finished job's HTML report (``GET /jobs/{id}/report``), read from its stored scores one
chunk at a time, as its result is."""

from service.jobs.chunks import job_provenance, stored_records
from service.jobs.records import JobRecord
from service.jobs.store import JobStore
from service.outputs.formats import OutputFormat
from service.outputs.render import RunSummary
from service.report.collect import ReportData
from service.report.page import report_page
from service.scoring.engine import ScoringEngine
from service.selection import result_view


def job_report(engine: ScoringEngine, store: JobStore, job: JobRecord) -> str:
    """The page of finished job ``job``, with the features it was submitted with."""
    manifest = engine.model.manifest
    data = ReportData(result_view(manifest, job.features, job.top_k), engine.reference)
    summary = RunSummary.of(manifest)
    for record, scores in stored_records(store, job.id, len(job.chunk_variants)):
        summary.add(record, scores, OutputFormat.NDJSON)
        data.add(scores)
    provenance = job_provenance(engine, job)
    title = f"job {job.id}" + ("" if job.region is None else f", mutagenesis of {job.region}")
    return report_page(data, summary, provenance, title)
