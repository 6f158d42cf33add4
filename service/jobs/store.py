"""Where jobs live: Redis (shared by the API and every worker; outlives restarts) or, with no
Redis configured, this process's memory (the same TTL, and a capacity in jobs). Every key of a
job expires after the job TTL.

A job is written in two steps: its input chunks as the upload is read (``add_chunk``), then its
record (``create``), which makes it visible; an upload refused half-way leaves nothing visible
and its chunks are deleted. A chunk's output is saved only while its job's record exists, so a
deleted job never comes back.

Redis keys, for job ``ID``: ``logoscore:job:ID`` (the record), ``...:header`` (the VCF header
lines), ``...:chunks`` (hash: index -> input), ``...:outputs`` (hash: index -> output; written
once per index, so a retried chunk replaces its own output and nothing is counted twice),
``...:started`` and ``...:failed``; ``logoscore:idempotency:DIGEST`` -> ``ID``, where DIGEST is
the sha256 of the owner and the client's key: an ``Idempotency-Key`` is scoped to its owner.
"""

import hashlib
import json
import threading
import time
from typing import Protocol

import redis

from service.jobs.records import ChunkInput, ChunkOutput, JobProgress, JobRecord, summed
from service.redis_errors import redis_reply

_PREFIX = "logoscore:job:"
_PARTS = (":header", ":chunks", ":outputs", ":counts", ":started", ":failed")

_SAVE_IF_JOB_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""
"""A chunk's status counts and output, saved together (the counts first: a chunk counted done
always has its counts) if the job still exists."""


class JobStoreFullError(RuntimeError):
    """The in-process store holds its capacity of unfinished jobs."""


def idempotency_digest(owner: str, key: str) -> str:
    return hashlib.sha256(f"{owner}\n{key}".encode()).hexdigest()


class JobStore(Protocol):
    def check_room(self) -> None: ...
    def add_chunk(self, job_id: str, index: int, chunk: ChunkInput) -> None: ...
    def create(self, record: JobRecord, header: list[str], key: str | None) -> None: ...
    def record(self, job_id: str) -> JobRecord | None: ...
    def records(self) -> list[JobRecord]: ...
    def header(self, job_id: str) -> list[str]: ...
    def chunk(self, job_id: str, index: int) -> ChunkInput: ...
    def mark_started(self, job_id: str) -> None: ...
    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> bool: ...
    def progress(self, job_ids: list[str]) -> list[JobProgress]: ...
    def output(self, job_id: str, index: int) -> ChunkOutput: ...
    def mark_failed(self, job_id: str, message: str) -> None: ...
    def job_for_key(self, owner: str, key: str) -> str | None: ...
    def delete(self, job_id: str) -> bool: ...


class RedisJobStore:
    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self.client = client
        self.ttl_seconds = ttl_seconds
        self._save_if_job_exists = client.register_script(_SAVE_IF_JOB_EXISTS)

    def check_room(self) -> None:
        """Redis holds what its memory allows; its ``maxmemory`` is the operator's limit."""

    def add_chunk(self, job_id: str, index: int, chunk: ChunkInput) -> None:
        name = _PREFIX + job_id + ":chunks"
        pipeline = self.client.pipeline()
        pipeline.hset(name, str(index), chunk.to_json())
        pipeline.expire(name, self.ttl_seconds)
        _execute(pipeline)

    def create(self, record: JobRecord, header: list[str], key: str | None) -> None:
        base = _PREFIX + record.id
        pipeline = self.client.pipeline()
        pipeline.set(base + ":header", json.dumps(header), ex=self.ttl_seconds)
        pipeline.set(base, record.to_json(), ex=self.ttl_seconds)
        if key is not None:
            name = f"logoscore:idempotency:{idempotency_digest(record.owner, key)}"
            pipeline.set(name, record.id, ex=self.ttl_seconds)
        _execute(pipeline)

    def record(self, job_id: str) -> JobRecord | None:
        raw = self.client.get(_PREFIX + job_id)
        return None if raw is None else JobRecord.from_json(raw)

    def records(self) -> list[JobRecord]:
        """Every job kept (one SCAN and one MGET): for the job-state metrics."""
        names = [
            name
            for name in self.client.scan_iter(match=_PREFIX + "*", count=1000)
            if b":" not in bytes(name)[len(_PREFIX) :]
        ]
        values = self.client.mget(names) if names else []
        return [JobRecord.from_json(raw) for raw in values if raw is not None]

    def header(self, job_id: str) -> list[str]:
        raw = self.client.get(_PREFIX + job_id + ":header")
        return [] if raw is None else list(json.loads(raw))

    def chunk(self, job_id: str, index: int) -> ChunkInput:
        raw = self.client.hget(_PREFIX + job_id + ":chunks", str(index))
        if raw is None:
            raise LookupError(f"job {job_id} has no chunk {index} (deleted or expired)")
        return ChunkInput.from_json(raw)

    def mark_started(self, job_id: str) -> None:
        self.client.set(_PREFIX + job_id + ":started", 1, ex=self.ttl_seconds)

    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> bool:
        """Save a chunk's output if its job still exists; whether it did."""
        base = _PREFIX + job_id
        try:
            saved = self._save_if_job_exists(
                keys=[base, base + ":outputs", base + ":counts"],
                args=[index, output.to_json(), self.ttl_seconds, json.dumps(output.counts())],
            )
        except redis.RedisError as error:
            raise type(error)(redis_reply(error)) from None
        return bool(saved)

    def progress(self, job_ids: list[str]) -> list[JobProgress]:
        """Every job's progress in one round trip."""
        pipeline = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            base = _PREFIX + job_id
            pipeline.hkeys(base + ":outputs")
            pipeline.exists(base + ":started")
            pipeline.get(base + ":failed")
            pipeline.hvals(base + ":counts")
        replies = pipeline.execute()
        return [
            JobProgress(
                done={int(i) for i in done},
                started=bool(started),
                failure=None if failure is None else bytes(failure).decode(),
                counts=summed([json.loads(raw) for raw in counts]),
            )
            for done, started, failure, counts in zip(
                replies[0::4], replies[1::4], replies[2::4], replies[3::4], strict=True
            )
        ]

    def output(self, job_id: str, index: int) -> ChunkOutput:
        raw = self.client.hget(_PREFIX + job_id + ":outputs", str(index))
        if raw is None:
            raise LookupError(f"job {job_id} has no output of chunk {index} (deleted or expired)")
        return ChunkOutput.from_json(raw)

    def mark_failed(self, job_id: str, message: str) -> None:
        self.client.set(_PREFIX + job_id + ":failed", message, ex=self.ttl_seconds)

    def job_for_key(self, owner: str, key: str) -> str | None:
        raw = self.client.get(f"logoscore:idempotency:{idempotency_digest(owner, key)}")
        return None if raw is None else bytes(raw).decode()  # type: ignore[arg-type]

    def delete(self, job_id: str) -> bool:
        base = _PREFIX + job_id
        return bool(self.client.delete(base, *(base + part for part in _PARTS)))


def _execute(pipeline: redis.client.Pipeline) -> None:
    """Run ``pipeline``; a failure is re-raised (same type) with the server's reply only: the
    commands' arguments hold VCF lines, which must reach no log or traceback."""
    try:
        pipeline.execute()
    except redis.RedisError as error:
        raise type(error)(redis_reply(error)) from None


class MemoryJobStore:
    """The embedded default: jobs in this process, gone when it stops; inputs and outputs are
    kept as their JSON text (as in Redis), at most ``capacity`` jobs for ``ttl_seconds``."""

    def __init__(self, ttl_seconds: int, capacity: int) -> None:
        self.ttl_seconds = ttl_seconds
        self.capacity = capacity
        self._lock = threading.Lock()
        self._records: dict[str, JobRecord] = {}
        self._headers: dict[str, list[str]] = {}
        self._chunks: dict[str, dict[int, str]] = {}
        self._outputs: dict[str, dict[int, str]] = {}
        self._counts: dict[str, dict[int, dict[str, int]]] = {}
        self._started: set[str] = set()
        self._failed: dict[str, str] = {}
        self._keys: dict[str, str] = {}

    def check_room(self) -> None:
        """Drop expired jobs, then the oldest finished or failed one if the store is full;
        ``JobStoreFullError`` if every job kept is still running."""
        with self._lock:
            now = time.time()
            for record in list(self._records.values()):
                if record.created + self.ttl_seconds < now:
                    self._drop(record.id)
            if len(self._records) < self.capacity:
                return
            ended = [r for r in self._records.values() if self._ended(r)]
            if not ended:
                raise JobStoreFullError(
                    f"this process keeps at most {self.capacity} jobs "
                    "(LOGOSCORE_JOB_STORE_CAPACITY) and all of them are still running"
                )
            self._drop(min(ended, key=lambda r: r.created).id)

    def _ended(self, record: JobRecord) -> bool:
        outputs = self._outputs.get(record.id, {})
        return record.id in self._failed or len(outputs) == len(record.chunk_variants)

    def add_chunk(self, job_id: str, index: int, chunk: ChunkInput) -> None:
        with self._lock:
            self._chunks.setdefault(job_id, {})[index] = chunk.to_json()

    def create(self, record: JobRecord, header: list[str], key: str | None) -> None:
        with self._lock:
            self._records[record.id] = record
            self._headers[record.id] = header
            self._chunks.setdefault(record.id, {})
            self._outputs[record.id] = {}
            if key is not None:
                self._keys[idempotency_digest(record.owner, key)] = record.id

    def record(self, job_id: str) -> JobRecord | None:
        record = self._records.get(job_id)
        if record is None or record.created + self.ttl_seconds < time.time():
            return None
        return record

    def records(self) -> list[JobRecord]:
        with self._lock:
            return [r for r in self._records.values() if self.record(r.id) is not None]

    def header(self, job_id: str) -> list[str]:
        return self._headers.get(job_id, [])

    def chunk(self, job_id: str, index: int) -> ChunkInput:
        try:
            return ChunkInput.from_json(self._chunks[job_id][index])
        except KeyError as error:
            raise LookupError(f"job {job_id} has no chunk {index} (deleted)") from error

    def mark_started(self, job_id: str) -> None:
        self._started.add(job_id)

    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> bool:
        with self._lock:
            if job_id not in self._records:
                return False
            self._outputs[job_id][index] = output.to_json()
            self._counts.setdefault(job_id, {})[index] = output.counts()
            return True

    def progress(self, job_ids: list[str]) -> list[JobProgress]:
        return [
            JobProgress(
                done=set(self._outputs.get(job_id, {})),
                started=job_id in self._started,
                failure=self._failed.get(job_id),
                counts=summed(list(self._counts.get(job_id, {}).values())),
            )
            for job_id in job_ids
        ]

    def output(self, job_id: str, index: int) -> ChunkOutput:
        try:
            return ChunkOutput.from_json(self._outputs[job_id][index])
        except KeyError as error:
            raise LookupError(f"job {job_id} has no output of chunk {index} (deleted)") from error

    def mark_failed(self, job_id: str, message: str) -> None:
        self._failed[job_id] = message

    def job_for_key(self, owner: str, key: str) -> str | None:
        job_id = self._keys.get(idempotency_digest(owner, key))
        return job_id if job_id is not None and self.record(job_id) is not None else None

    def delete(self, job_id: str) -> bool:
        with self._lock:
            return self._drop(job_id)

    def _drop(self, job_id: str) -> bool:
        existed = self._records.pop(job_id, None) is not None
        for table in (self._headers, self._chunks, self._outputs, self._counts, self._failed):
            table.pop(job_id, None)
        self._started.discard(job_id)
        self._keys = {k: v for k, v in self._keys.items() if v != job_id}
        return existed
