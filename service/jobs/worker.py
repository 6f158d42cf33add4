"""``logoscore worker``: an RQ worker that scores job chunks with the configured model.

The engine (model, reference, cache) is opened once per worker process, before it takes work;
the worker runs chunks in its own process (``SimpleWorker``: no fork after onnxruntime has
started its threads).
"""

import redis
from rq import Queue, SimpleWorker

from service.engine import ScoringEngine, open_engine
from service.jobs.chunks import process_chunk
from service.jobs.runner import QUEUE_NAME
from service.jobs.store import RedisJobStore
from service.settings import Settings

_engine: ScoringEngine | None = None
_store: RedisJobStore | None = None


def open_worker_context(settings: Settings) -> None:
    global _engine, _store
    if not settings.redis_url:
        raise ValueError("a worker takes chunks from Redis: set REDIS_URL")
    _engine = open_engine(settings)
    _store = RedisJobStore(redis.Redis.from_url(settings.redis_url), settings.job_ttl_seconds)


def run_chunk(job_id: str, index: int) -> None:
    """The RQ job function: score one chunk."""
    if _engine is None or _store is None:
        open_worker_context(Settings())
    assert _engine is not None and _store is not None
    process_chunk(_engine, _store, job_id, index)


def work(settings: Settings, burst: bool) -> None:
    """Take chunks until stopped (or, with ``burst``, until the queue is empty)."""
    open_worker_context(settings)
    connection = redis.Redis.from_url(settings.redis_url or "")
    worker = SimpleWorker(
        [Queue(QUEUE_NAME, connection=connection)],
        connection=connection,
        maintenance_interval=settings.worker_maintenance_seconds,
    )
    worker.work(burst=burst, with_scheduler=False)
