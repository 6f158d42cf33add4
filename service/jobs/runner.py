"""Who runs a job's chunks: RQ workers over Redis (``logoscore worker``, any number, any
machine), or, with no Redis, a thread of the API process (the embedded default).

RQ runs each chunk as its own RQ job ``<job id>-<index>`` with retries. Workers run chunks in
their own process (``SimpleWorker``), so a chunk's entry in RQ's started registry lives for its
timeout plus 60 s: when a worker dies mid-chunk, the next registry maintenance of any worker
after that (every ``worker_maintenance_seconds``) finds the chunk abandoned and queues it again,
within about ``CHUNK_TIMEOUT_SECONDS`` + 2 minutes. A chunk that failed on every try marks the
job failed with the error.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import redis
from rq import Callback, Queue, Retry
from rq.job import Job

from service.engine import ScoringEngine
from service.jobs.chunks import process_chunk
from service.jobs.store import JobStore, RedisJobStore
from service.settings import Settings

logger = logging.getLogger(__name__)

QUEUE_NAME = "logoscore"
CHUNK_RETRIES = 3
CHUNK_TIMEOUT_SECONDS = 300
"""A chunk (200 variants by default) takes about 15 s on 2 CPU cores."""


class JobRunner(Protocol):
    def submit(self, job_id: str, chunks: int) -> None: ...

    def cancel(self, job_id: str, chunks: int) -> None: ...

    def queue_depth(self) -> int: ...


class ThreadRunner:
    """Chunks in order on one thread of this process (the engine is not shared across
    threads while a chunk runs: the micro-batcher merges the calls)."""

    def __init__(self, engine: ScoringEngine, store: JobStore) -> None:
        self._engine = engine
        self._store = store
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="jobs")
        self._pending = 0
        self._lock = threading.Lock()

    def submit(self, job_id: str, chunks: int) -> None:
        with self._lock:
            self._pending += chunks
        for index in range(chunks):
            self._pool.submit(self._run, job_id, index)

    def cancel(self, job_id: str, chunks: int) -> None:
        """Nothing to do: a deleted job's chunks find no record and are skipped."""

    def queue_depth(self) -> int:
        return self._pending

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job_id: str, index: int) -> None:
        try:
            process_chunk(self._engine, self._store, job_id, index)
        except Exception as error:  # a chunk's failure is the job's, shown by GET /jobs/{id}
            logger.exception("job %s chunk %d failed", job_id, index)
            self._store.mark_failed(job_id, f"chunk {index}: {error}")
        finally:
            with self._lock:
                self._pending -= 1


class RqRunner:
    def __init__(self, connection: redis.Redis, job_ttl_seconds: int) -> None:
        self._queue = Queue(QUEUE_NAME, connection=connection)
        self._ttl = job_ttl_seconds

    def submit(self, job_id: str, chunks: int) -> None:
        for index in range(chunks):
            self._queue.enqueue(
                "service.jobs.worker.run_chunk",
                job_id,
                index,
                job_id=f"{job_id}-{index}",
                retry=Retry(max=CHUNK_RETRIES),
                job_timeout=CHUNK_TIMEOUT_SECONDS,
                result_ttl=0,
                failure_ttl=self._ttl,
                on_failure=Callback(chunk_failed),
            )

    def cancel(self, job_id: str, chunks: int) -> None:
        for index in range(chunks):
            job = self._queue.fetch_job(f"{job_id}-{index}")
            if job is not None:
                job.delete()

    def queue_depth(self) -> int:
        return self._queue.count


def chunk_failed(job: Job, connection: redis.Redis, *exc_info: Any) -> None:
    """RQ failure callback: once a chunk has no retries left, its job has failed."""
    if job.retries_left:
        return
    job_id, _, index = job.id.rpartition("-")
    error = exc_info[1] if len(exc_info) > 1 else None
    RedisJobStore(connection, Settings().job_ttl_seconds).mark_failed(
        job_id, f"chunk {index}: {error}"
    )
