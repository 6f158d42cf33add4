"""A job's state, progress and status counts, read from its store (one round trip for any number
of jobs), with the warnings its result carries once it has finished."""

from core.manifest import ModelManifest
from core.status import StatusTally
from service.jobs.records import JobProgress, JobRecord, JobState
from service.jobs.schemas import JobStatus
from service.jobs.store import JobStore
from service.outputs.render import RunSummary


def job_status(store: JobStore, job: JobRecord, manifest: ModelManifest) -> JobStatus:
    (progress,) = store.progress([job.id])
    return status_of(job, progress, manifest)


def job_states(store: JobStore, jobs: list[JobRecord]) -> list[JobState]:
    return [
        state_of(job, progress)
        for job, progress in zip(jobs, store.progress([j.id for j in jobs]), strict=True)
    ]


def state_of(job: JobRecord, progress: JobProgress) -> JobState:
    if progress.failure is not None:
        return JobState.FAILED
    if len(progress.done) == len(job.chunk_variants):
        return JobState.FINISHED
    if progress.done or progress.started:
        return JobState.RUNNING
    return JobState.QUEUED


def status_of(job: JobRecord, progress: JobProgress, manifest: ModelManifest) -> JobStatus:
    state = state_of(job, progress)
    tally = StatusTally.of(progress.counts)
    summary = RunSummary(manifest.assembly, list(manifest.missing_scores.values()), tally)
    return JobStatus(
        id=job.id,
        state=state,
        variants_total=job.total,
        variants_done=sum(job.chunk_variants[i] for i in progress.done),
        chunks_total=len(job.chunk_variants),
        chunks_done=len(progress.done),
        summary=tally.summary(),
        warnings=summary.warnings() if state is JobState.FINISHED else [],
        error=progress.failure,
        created=job.created,
    )
