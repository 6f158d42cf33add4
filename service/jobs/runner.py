"""Who runs a job's chunks: RQ workers over Redis (``logoscore worker``, any number, any
machine), or, with no Redis, a thread of the API process (the embedded default).

RQ runs each chunk as its own RQ job ``<job id>-<index>`` with retries, on a queue named after
the model file and the reference (``queue_name``): a worker with another model or reference
listens on another queue, so it never takes the job's chunks, which stay queued for a worker
that matches (and a worker says at start which other queues hold chunks it cannot take).
A chunk that failed on every try marks the job failed with the error. How a dead worker's chunk
comes back: ``service.jobs.worker``.
"""

import logging
import queue
import threading
from typing import Protocol

import redis
from rq import Callback, Queue, Retry
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from service.jobs.chunks import process_chunk
from service.jobs.store import JobStore
from service.scoring.engine import ScoringEngine
from service.scoring.model import ModelFile

logger = logging.getLogger(__name__)

QUEUE_PREFIX = "logoscore"
CHUNK_RETRIES = 3
CHUNK_TIMEOUT_SECONDS = 300
"""A chunk (200 variants by default) takes about 15 s on 2 CPU cores."""


def queue_name(model: ModelFile, reference_digest: str) -> str:
    """The queue of chunks for a model file (by sha256, and engine) on a reference (by
    digest)."""
    return f"{QUEUE_PREFIX}:{model.short_run_id}:{reference_digest}"


class JobRunner(Protocol):
    model: ModelFile
    """The model file its jobs are scored with (named in their records and results)."""

    def submit(self, job_id: str, chunks: int) -> None: ...

    def cancel(self, job_id: str, chunks: int) -> None: ...

    def queue_depth(self) -> int: ...

    def close(self) -> None: ...


class ThreadRunner:
    """Chunks in order on one daemon thread of this process (the engine is not shared across
    threads while a chunk runs: the micro-batcher merges the calls). Stopping the process never
    waits for it: the in-process jobs go with the process."""

    def __init__(self, engine: ScoringEngine, store: JobStore) -> None:
        self.model = engine.model.file
        self._engine = engine
        self._store = store
        self._chunks: queue.SimpleQueue[tuple[str, int] | None] = queue.SimpleQueue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)
        self._thread.start()

    def submit(self, job_id: str, chunks: int) -> None:
        with self._lock:
            self._pending += chunks
        for index in range(chunks):
            self._chunks.put((job_id, index))

    def cancel(self, job_id: str, chunks: int) -> None:
        """Nothing to do: a deleted job's chunks find no record and are skipped."""

    def queue_depth(self) -> int:
        return self._pending

    def close(self) -> None:
        self._chunks.put(None)

    def _loop(self) -> None:
        while (item := self._chunks.get()) is not None:
            self._run(*item)

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
    """Chunks on the RQ queue of ``model`` and ``reference_digest``, for ``logoscore worker``
    processes that run that model file on that reference."""

    def __init__(
        self,
        connection: redis.Redis,
        job_ttl_seconds: int,
        model: ModelFile,
        reference_digest: str,
    ) -> None:
        self.model = model
        self._queue = Queue(queue_name(model, reference_digest), connection=connection)
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
                on_failure=Callback("service.jobs.worker.chunk_failed"),
            )

    def cancel(self, job_id: str, chunks: int) -> None:
        """Drop the job's chunks that wait; a running one finds its job gone and its output is
        dropped (``process_chunk``)."""
        for index in range(chunks):
            chunk_id = f"{job_id}-{index}"
            self._queue.remove(chunk_id)
            try:
                job = Job.fetch(chunk_id, connection=self._queue.connection)
                if job.get_status() is not JobStatus.STARTED:
                    job.delete()
            except (NoSuchJobError, InvalidJobOperation):
                continue  # already gone, or ended while we looked

    def queue_depth(self) -> int:
        return self._queue.count

    def close(self) -> None:
        """The chunks stay in Redis for the workers."""
