"""A job's state and progress, read from its store."""

from service.jobs.records import JobRecord, JobState
from service.jobs.schemas import JobStatus
from service.jobs.store import JobStore


def job_status(store: JobStore, job: JobRecord) -> JobStatus:
    done = store.done(job.id)
    failure = store.failure(job.id)
    if failure is not None:
        state = JobState.FAILED
    elif len(done) == len(job.chunk_variants):
        state = JobState.FINISHED
    elif done or store.started(job.id):
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
        error=failure,
        created=job.created,
    )
