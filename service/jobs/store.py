"""Where jobs live: Redis (shared by the API and every worker; outlives restarts) or, with no
Redis configured, this process's memory. Every key of a job expires after the job TTL.

Redis keys, for job ``ID``: ``logoscore:job:ID`` (the record), ``...:chunks`` (hash: index ->
input), ``...:outputs`` (hash: index -> output; written once per index, so a retried chunk
replaces its own output and nothing is counted twice), ``...:started`` and ``...:failed``;
``logoscore:idempotency:KEY`` -> ``ID``.
"""

import threading
from typing import Protocol

import redis

from service.jobs.model import ChunkInput, ChunkOutput, JobRecord
from service.redis_errors import redis_reply

_PREFIX = "logoscore:job:"


class JobStore(Protocol):
    def create(self, record: JobRecord, chunks: list[ChunkInput], key: str | None) -> None: ...
    def record(self, job_id: str) -> JobRecord | None: ...
    def records(self) -> list[JobRecord]: ...
    def chunk(self, job_id: str, index: int) -> ChunkInput: ...
    def mark_started(self, job_id: str) -> None: ...
    def started(self, job_id: str) -> bool: ...
    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> None: ...
    def done(self, job_id: str) -> set[int]: ...
    def outputs(self, job_id: str) -> dict[int, ChunkOutput]: ...
    def mark_failed(self, job_id: str, message: str) -> None: ...
    def failure(self, job_id: str) -> str | None: ...
    def job_for_key(self, key: str) -> str | None: ...
    def delete(self, job_id: str) -> bool: ...


class RedisJobStore:
    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self.client = client
        self.ttl_seconds = ttl_seconds

    def create(self, record: JobRecord, chunks: list[ChunkInput], key: str | None) -> None:
        base = _PREFIX + record.id
        pipeline = self.client.pipeline()
        pipeline.set(base, record.to_json(), ex=self.ttl_seconds)
        pipeline.hset(base + ":chunks", mapping={str(i): c.to_json() for i, c in enumerate(chunks)})
        pipeline.expire(base + ":chunks", self.ttl_seconds)
        if key is not None:
            pipeline.set(f"logoscore:idempotency:{key}", record.id, ex=self.ttl_seconds)
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

    def chunk(self, job_id: str, index: int) -> ChunkInput:
        raw = self.client.hget(_PREFIX + job_id + ":chunks", str(index))
        if raw is None:
            raise LookupError(f"job {job_id} has no chunk {index} (deleted or expired)")
        return ChunkInput.from_json(raw)

    def mark_started(self, job_id: str) -> None:
        self.client.set(_PREFIX + job_id + ":started", 1, ex=self.ttl_seconds)

    def started(self, job_id: str) -> bool:
        return bool(self.client.exists(_PREFIX + job_id + ":started"))

    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> None:
        name = _PREFIX + job_id + ":outputs"
        pipeline = self.client.pipeline()
        pipeline.hset(name, str(index), output.to_json())
        pipeline.expire(name, self.ttl_seconds)
        _execute(pipeline)

    def done(self, job_id: str) -> set[int]:
        return {int(i) for i in self.client.hkeys(_PREFIX + job_id + ":outputs")}

    def outputs(self, job_id: str) -> dict[int, ChunkOutput]:
        raw = self.client.hgetall(_PREFIX + job_id + ":outputs")
        return {int(i): ChunkOutput.from_json(v) for i, v in raw.items()}

    def mark_failed(self, job_id: str, message: str) -> None:
        self.client.set(_PREFIX + job_id + ":failed", message, ex=self.ttl_seconds)

    def failure(self, job_id: str) -> str | None:
        raw = self.client.get(_PREFIX + job_id + ":failed")
        return None if raw is None else bytes(raw).decode()  # type: ignore[arg-type]

    def job_for_key(self, key: str) -> str | None:
        raw = self.client.get(f"logoscore:idempotency:{key}")
        return None if raw is None else bytes(raw).decode()  # type: ignore[arg-type]

    def delete(self, job_id: str) -> bool:
        base = _PREFIX + job_id
        names = [base, *(base + s for s in (":chunks", ":outputs", ":started", ":failed"))]
        return bool(self.client.delete(*names))


def _execute(pipeline: redis.client.Pipeline) -> None:
    """Run ``pipeline``; a failure is re-raised (same type) with the server's reply only: the
    commands' arguments hold VCF lines, which must reach no log or traceback."""
    try:
        pipeline.execute()
    except redis.RedisError as error:
        raise type(error)(redis_reply(error)) from None


class MemoryJobStore:
    """The embedded default: jobs in this process, gone when it stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, JobRecord] = {}
        self._chunks: dict[str, list[ChunkInput]] = {}
        self._outputs: dict[str, dict[int, ChunkOutput]] = {}
        self._started: set[str] = set()
        self._failed: dict[str, str] = {}
        self._keys: dict[str, str] = {}

    def create(self, record: JobRecord, chunks: list[ChunkInput], key: str | None) -> None:
        with self._lock:
            self._records[record.id] = record
            self._chunks[record.id] = chunks
            self._outputs[record.id] = {}
            if key is not None:
                self._keys[key] = record.id

    def record(self, job_id: str) -> JobRecord | None:
        return self._records.get(job_id)

    def records(self) -> list[JobRecord]:
        with self._lock:
            return list(self._records.values())

    def chunk(self, job_id: str, index: int) -> ChunkInput:
        try:
            return self._chunks[job_id][index]
        except (KeyError, IndexError) as error:
            raise LookupError(f"job {job_id} has no chunk {index} (deleted)") from error

    def mark_started(self, job_id: str) -> None:
        self._started.add(job_id)

    def started(self, job_id: str) -> bool:
        return job_id in self._started

    def save_output(self, job_id: str, index: int, output: ChunkOutput) -> None:
        with self._lock:
            if job_id in self._outputs:
                self._outputs[job_id][index] = output

    def done(self, job_id: str) -> set[int]:
        return set(self._outputs.get(job_id, {}))

    def outputs(self, job_id: str) -> dict[int, ChunkOutput]:
        return dict(self._outputs.get(job_id, {}))

    def mark_failed(self, job_id: str, message: str) -> None:
        self._failed[job_id] = message

    def failure(self, job_id: str) -> str | None:
        return self._failed.get(job_id)

    def job_for_key(self, key: str) -> str | None:
        job_id = self._keys.get(key)
        return job_id if job_id in self._records else None

    def delete(self, job_id: str) -> bool:
        with self._lock:
            existed = self._records.pop(job_id, None) is not None
            for table in (self._chunks, self._outputs, self._failed):
                table.pop(job_id, None)
            self._started.discard(job_id)
            return existed
