"""The job store and runner the API uses: Redis and RQ when ``REDIS_URL`` is set, this
process's memory and a thread otherwise. With Redis, jobs may be scored on another device than
the API's own (``LOGOSCORE_JOB_PROVIDER``: an API on the CPU, workers on GPUs): their records,
queues and results name the workers' model file."""

from service.jobs.runner import JobRunner, RqRunner, ThreadRunner
from service.jobs.store import JobStore, MemoryJobStore, RedisJobStore
from service.redis_client import redis_client
from service.scoring.engine import ScoringEngine
from service.scoring.model import ModelFile, choose_model_file, tensorrt_file
from service.settings import Provider, Settings


def job_model_file(settings: Settings, engine: ScoringEngine) -> ModelFile:
    """The model file the workers of this API's jobs run: what ``LOGOSCORE_JOB_PROVIDER`` (and
    ``LOGOSCORE_PRECISION``) choose from the model directory, or this API's own file."""
    provider = settings.job_provider
    if provider is None or provider is Provider.AUTO:
        return engine.model.file
    manifest = engine.model.manifest
    if provider is Provider.TENSORRT:
        return tensorrt_file(manifest)
    return choose_model_file(manifest, provider.value, settings.precision)


def open_jobs(settings: Settings, engine: ScoringEngine) -> tuple[JobStore, JobRunner]:
    if settings.redis_url:
        connection = redis_client(settings.redis_url)
        store = RedisJobStore(connection, settings.job_ttl_seconds)
        model, reference = job_model_file(settings, engine), engine.reference.identity.digest
        return store, RqRunner(connection, settings.job_ttl_seconds, model, reference)
    memory = MemoryJobStore(settings.job_ttl_seconds, settings.job_store_capacity)
    return memory, ThreadRunner(engine, memory)
