"""The score cache: Redis when ``REDIS_URL`` is set, an in-process LRU otherwise.

A key names everything a score depends on, so that a new model, reference or scoring rule can
never return a stale score: ``ls:<namespace>:<contig>:<pos>:<ref>:<alt>`` with the variant in
normalised form (``core.normalize``) and ``namespace`` the first 24 hex digits of the sha256 of
the model manifest's sha256 (which names the ONNX file, the E-value background and the
prioritiser by their own sha256), the sha256 of the ONNX file run (fp32, or a reduced-precision
copy: their scores differ), the reference's digest and ``core.scoring.SCORING_VERSION``.

Only ``scored`` results are cached: every other status is decided from the input and the
reference without a model pass, and some depend on the request (``too_long`` on its limit).
Values are the per-feature arrays as float64 bytes, exact to the bit. Many keys are read in one
round trip (``MGET``) and written in one pipeline, each with a TTL. If Redis goes away the
service scores without it: reads miss, writes are dropped, ``available`` turns false (shown by
``/health/ready``), and Redis is tried again after ``RETRY_SECONDS``.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis

from core.normalize import NormalizedAlleles
from core.scoring import SCORING_VERSION
from service.redis_client import FAST_TIMEOUT_SECONDS, redis_client
from service.scoring.scores import ScoreValues

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


def cache_namespace(manifest_sha256: str, onnx_sha256: str, reference_digest: str) -> str:
    """The key prefix of one model directory, run in one precision, on one reference."""
    text = f"{manifest_sha256}\n{onnx_sha256}\n{reference_digest}\n{SCORING_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cache_key(namespace: str, contig: str, variant: NormalizedAlleles) -> str:
    return f"ls:{namespace}:{contig}:{variant.pos}:{variant.ref}:{variant.alt}"


class ScoreCache(Protocol):
    @property
    def backend(self) -> str: ...

    @property
    def available(self) -> bool: ...

    def get_many(self, keys: list[str]) -> dict[str, ScoreValues]: ...

    def put_many(self, items: dict[str, ScoreValues]) -> None: ...


class LruCache:
    """In-process, least recently used first out, at most ``capacity`` scores; safe to share
    between the threads that serve requests."""

    backend = "memory"
    available = True

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, ScoreValues] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, ScoreValues]:
        found = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        return found

    def put_many(self, items: dict[str, ScoreValues]) -> None:
        with self._lock:
            for key, value in items.items():
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class RedisCache:
    """Redis at ``url``; scores expire after ``ttl_seconds``."""

    backend = "redis"

    def __init__(
        self, url: str, ttl_seconds: int, timeout_seconds: float = FAST_TIMEOUT_SECONDS
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._client = redis_client(url, timeout_seconds)
        self._down_since: float | None = None

    @property
    def available(self) -> bool:
        return self._down_since is None

    def get_many(self, keys: list[str]) -> dict[str, ScoreValues]:
        if not keys or not self._should_try():
            return {}
        try:
            values = self._client.mget(keys)
        except redis.RedisError as error:
            self._went_away(error)
            return {}
        self._came_back()
        return {
            key: ScoreValues.from_bytes(value)
            for key, value in zip(keys, values, strict=True)
            if isinstance(value, bytes)
        }

    def put_many(self, items: dict[str, ScoreValues]) -> None:
        if not items or not self._should_try():
            return
        pipeline = self._client.pipeline(transaction=False)
        for key, value in items.items():
            pipeline.set(key, value.to_bytes(), ex=self.ttl_seconds)
        try:
            pipeline.execute()
        except redis.RedisError as error:
            self._went_away(error)
            return
        self._came_back()

    def _should_try(self) -> bool:
        return self._down_since is None or time.monotonic() - self._down_since >= RETRY_SECONDS

    def _went_away(self, error: redis.RedisError) -> None:
        if self._down_since is None:
            logger.warning("Redis cache unavailable, scoring without it: %s", error)
        self._down_since = time.monotonic()

    def _came_back(self) -> None:
        if self._down_since is not None:
            logger.info("Redis cache available again")
        self._down_since = None


def open_cache(redis_url: str | None, ttl_seconds: int, capacity: int) -> ScoreCache:
    """Redis at ``redis_url`` when given, else an in-process LRU of ``capacity`` scores."""
    if redis_url:
        return RedisCache(redis_url, ttl_seconds)
    return LruCache(capacity)
