"""``logoscore worker``: an RQ worker that scores job chunks with the configured model.

The engine (model, reference, cache) is opened once per worker process, before it takes work;
the worker runs chunks in its own process (``SimpleWorker``: no fork after onnxruntime has
started its threads). It listens only on the queue of its model and reference
(``service.jobs.runner.queue_name``) and says at start which other queues hold chunks.

A dead worker's chunk comes back within about twice ``LOGOSCORE_WORKER_MAINTENANCE_SECONDS``
(M): while a chunk runs, a thread renews its entry in RQ's started registry every M/3 s for M s,
so once the worker dies the entry lapses within M s, and the next registry maintenance of any
worker (every M s; an idle worker wakes from waiting for work every M s to run it) queues the
chunk again.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.worker import WorkerStatus

from service.jobs.chunks import process_chunk
from service.jobs.runner import QUEUE_PREFIX, queue_name
from service.jobs.store import RedisJobStore
from service.redis_client import redis_client
from service.redis_errors import redis_reply
from service.scoring.engine import ScoringEngine, open_engine
from service.settings import Settings

logger = logging.getLogger(__name__)

EXECUTION_MARGIN_SECONDS = 120
PUBSUB_POLL_SECONDS = 1.0
"""How long the thread reading a worker's commands channel waits for a message at a time. RQ
waits 60 s; a worker that stops just after it starts (``--burst`` on an empty queue) then
waited up to 60 s for that thread to notice."""
LOG_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(message)s"

_engine: ScoringEngine | None = None
_store: RedisJobStore | None = None


def redis_failure(error: redis.RedisError) -> str:
    """What a worker says when Redis fails under it."""
    return (
        f"Redis failed under the worker ({redis_reply(error)}); no chunk is lost: one it held "
        "is taken again once Redis is back (start the worker again; a supervisor restarts it)"
    )


def open_worker_context(settings: Settings, engine: ScoringEngine | None = None) -> ScoringEngine:
    """This process's engine (``engine``, or one that ``settings`` describe) and job store."""
    global _engine, _store
    if not settings.redis_url:
        raise ValueError("a worker takes chunks from Redis: set REDIS_URL")
    _engine = engine or open_engine(settings)
    _store = RedisJobStore(redis_client(settings.redis_url), settings.job_ttl_seconds)
    return _engine


def run_chunk(job_id: str, index: int) -> None:
    """The RQ job function: score one chunk (in a worker started by ``work``)."""
    if _engine is None or _store is None:
        raise RuntimeError("run chunks with `logoscore worker`, which opens the model first")
    process_chunk(_engine, _store, job_id, index)


def chunk_failed(job: Job, connection: redis.Redis, *exc_info: Any) -> None:
    """RQ failure callback (run by a worker): once a chunk has no retries left, its job has
    failed."""
    if job.retries_left or _store is None:
        return
    job_id, _, index = job.id.rpartition("-")
    error = exc_info[1] if len(exc_info) > 1 else None
    _store.mark_failed(job_id, f"chunk {index}: {error}")


class ChunkWorker(SimpleWorker):
    """A ``SimpleWorker`` whose running chunk's registry entry lives ``lease_seconds`` and is
    renewed while the chunk runs."""

    def __init__(self, *args: Any, lease_seconds: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lease_seconds = lease_seconds

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return self.lease_seconds

    def subscribe(self) -> None:
        """RQ's, with a thread that looks whether to stop every ``PUBSUB_POLL_SECONDS``."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ: None
            sleep_time=PUBSUB_POLL_SECONDS,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()

        def renew() -> None:
            with self.connection.pipeline() as pipeline:
                self.heartbeat(self.lease_seconds + 60, pipeline=pipeline)
                execution.heartbeat(job.started_job_registry, self.lease_seconds, pipeline)
                # the execution's record outlives the lease: RQ lists it for lease + 60 s
                pipeline.expire(execution.key, self.lease_seconds + EXECUTION_MARGIN_SECONDS)
                pipeline.execute()

        renew()
        renewer = threading.Thread(target=self._renew_until, args=(done, renew), daemon=True)

        renewer.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            renewer.join()
        self.set_state(WorkerStatus.IDLE)

    def _renew_until(self, done: threading.Event, renew: Callable[[], None]) -> None:
        while not done.wait(self.lease_seconds / 3):
            renew()


def _report_other_queues(connection: redis.Redis, own: str) -> None:
    """Log the chunks waiting on queues of other models or references: this worker will not
    take them."""
    for other in Queue.all(connection=connection):
        if other.name.startswith(QUEUE_PREFIX + ":") and other.name != own and other.count:
            logger.warning(
                "%d job chunks wait on queue %s, for another model or reference than this "
                "worker's (%s); it does not take them: start workers with that job's model "
                "and reference",
                other.count,
                other.name,
                own,
            )


def work(settings: Settings, burst: bool, engine: ScoringEngine | None = None) -> None:
    """Take chunks until stopped (or, with ``burst``, until the queue is empty), scoring them
    with ``engine`` (or one that ``settings`` describe)."""
    engine = open_worker_context(settings, engine)
    connection = redis_client(settings.redis_url or "")
    name = queue_name(engine.model.file, engine.reference.identity.digest)
    logger.info("worker for queue %s", name)
    _report_other_queues(connection, name)
    interval = settings.worker_maintenance_seconds
    worker = ChunkWorker(
        [Queue(name, connection=connection)],
        connection=connection,
        maintenance_interval=interval,
        worker_ttl=interval + 15,  # RQ waits worker_ttl - 15 s for work, then runs maintenance
        lease_seconds=interval,
    )
    worker.work(burst=burst, with_scheduler=False)
