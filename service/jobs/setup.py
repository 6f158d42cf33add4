"""The job store and runner the API uses: Redis and RQ when ``REDIS_URL`` is set, this
process's memory and a thread otherwise."""

from service.jobs.runner import JobRunner, RqRunner, ThreadRunner, queue_name
from service.jobs.store import JobStore, MemoryJobStore, RedisJobStore
from service.redis_client import redis_client
from service.scoring.engine import ScoringEngine
from service.settings import Settings


def open_jobs(settings: Settings, engine: ScoringEngine) -> tuple[JobStore, JobRunner]:
    if settings.redis_url:
        connection = redis_client(settings.redis_url)
        store = RedisJobStore(connection, settings.job_ttl_seconds)
        return store, RqRunner(connection, settings.job_ttl_seconds, queue_name(engine))
    memory = MemoryJobStore(settings.job_ttl_seconds, settings.job_store_capacity)
    return memory, ThreadRunner(engine, memory)
