"""A job's state and progress, read from its store (one round trip for any number of jobs)."""

from service.jobs.records import JobProgress, JobRecord, JobState
from service.jobs.schemas import JobStatus
from service.jobs.store import JobStore


def job_status(store: JobStore, job: JobRecord) -> JobStatus:
    (progress,) = store.progress([job.id])
    return status_of(job, progress)


def job_statuses(store: JobStore, jobs: list[JobRecord]) -> list[JobStatus]:
    return [
        status_of(job, progress)
        for job, progress in zip(jobs, store.progress([j.id for j in jobs]), strict=True)
    ]


def status_of(job: JobRecord, progress: JobProgress) -> JobStatus:
    done = progress.done
    if progress.failure is not None:
        state = JobState.FAILED
    elif len(done) == len(job.chunk_variants):
        state = JobState.FINISHED
    elif done or progress.started:
        state = JobState.RUNNING
    else:
        state = JobState.QUEUED
    return JobStatus(
        id=job.id,
        state=state,
        variants_total=job.total,
        variants_done=sum(job.chunk_variants[i] for i in done),
        chunks_total=len(job.chunk_variants),
        chunks_done=len(done),
        error=progress.failure,
        created=job.created,
    )
