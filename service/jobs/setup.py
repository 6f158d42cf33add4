"""The job store and runner the API uses: Redis and RQ when ``REDIS_URL`` is set, this
process's memory and a thread otherwise."""

import redis

from service.engine import ScoringEngine
from service.jobs.runner import JobRunner, RqRunner, ThreadRunner
from service.jobs.store import JobStore, MemoryJobStore, RedisJobStore
from service.settings import Settings


def open_jobs(settings: Settings, engine: ScoringEngine) -> tuple[JobStore, JobRunner]:
    if settings.redis_url:
        connection = redis.Redis.from_url(settings.redis_url)
        return RedisJobStore(connection, settings.job_ttl_seconds), RqRunner(
            connection, settings.job_ttl_seconds
        )
    store = MemoryJobStore()
    return store, ThreadRunner(engine, store)


def close_jobs(runner: JobRunner) -> None:
    if isinstance(runner, ThreadRunner):
        runner.close()
