"""Access control: optional API keys, stored as hashes, and per-key request quotas.

Keys: ``LOGOSCORE_API_KEYS_FILE`` names a file of lines ``<name> <sha256 of the key>``
(``logoscore hash-key NAME`` reads a key on stdin and prints its line; ``#`` starts a comment),
optionally followed by the word ``admin``.

Tenancy: a batch job belongs to the key that submitted it (its name); every other key gets the
same 404 as for a job that never existed, and an ``Idempotency-Key`` is scoped to its key. An
``admin`` key (an operator) sees and deletes every job. Without a key file every caller is the
one owner ``OPEN_OWNER``. The score cache is shared: a score is not personal data.
With it set, the scoring, job and model routes need the header ``X-API-Key``; ``/health/*``,
``/metrics`` and the docs stay open. Without it the service is open (the embedded default).
Only hashes are held; a request's key is hashed and looked up by its hash; logs and metrics
name the key's name, never the key.

Quotas: ``LOGOSCORE_QUOTA_REQUESTS`` requests per ``LOGOSCORE_QUOTA_WINDOW_SECONDS`` per key,
counted in fixed windows in Redis when ``REDIS_URL`` is set (so every API process shares the
count), in this process otherwise. Past it: 429 with ``Retry-After`` (seconds to the window's
end). Quotas are per key, never per IP address: a hospital network behind one address is many
users, and nobody is banned. If Redis cannot be reached the request is let through (scoring
matters more than counting) and the failure is logged.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Protocol

import redis
from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from service.keys import hash_key
from service.redis_client import FAST_TIMEOUT_SECONDS, redis_client

logger = logging.getLogger(__name__)

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
ADMIN = "admin"
OPEN_OWNER = "open"
"""The owner of every job when the service is open (no key file)."""

API_KEY_HEADER = "X-API-Key"
_api_key = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="needed when the operator set LOGOSCORE_API_KEYS_FILE",
)


class KeyFileError(ValueError):
    """An API key file that cannot be read."""


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the key's name, and whether it is an operator's."""

    name: str
    admin: bool = False

    def may_see(self, owner: str) -> bool:
        return self.admin or owner == self.name


def load_keys(path: Path) -> dict[str, Caller]:
    """``{sha256: caller}`` from a key file (see the module docstring)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise KeyFileError(f"cannot read LOGOSCORE_API_KEYS_FILE {path}: {error}") from error
    keys: dict[str, Caller] = {}
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        digest = fields[1].lower() if len(fields) > 1 else ""
        admin = fields[2:] == [ADMIN]
        if (
            len(fields) not in (2, 3)
            or not _SHA256_HEX.fullmatch(digest)
            or (fields[2:3] and not admin)
        ):
            raise KeyFileError(
                f"{path} line {number}: expected '<name> <sha256 hex>' or '<name> <sha256 hex> "
                "admin'; make the line with `logoscore hash-key NAME` (it reads the key on stdin)"
            )
        keys[digest] = Caller(fields[0], admin)
    if not keys:
        raise KeyFileError(f"{path} holds no keys; add lines made by `logoscore hash-key NAME`")
    return keys


class QuotaCounter(Protocol):
    def hit(self, name: str) -> tuple[int, int]:
        """Count one request of ``name``: requests in the current window, seconds it has left."""
        ...


def _window(window_seconds: int) -> tuple[int, int]:
    now = int(time.time())
    return now // window_seconds, window_seconds - now % window_seconds


class MemoryQuotaCounter:
    """Fixed-window counts in this process."""

    def __init__(self, window_seconds: int) -> None:
        self.window_seconds = window_seconds
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, name: str) -> tuple[int, int]:
        window, left = _window(self.window_seconds)
        with self._lock:
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
            count = self._counts.get((name, window), 0) + 1
            self._counts[(name, window)] = count
        return count, left


class RedisQuotaCounter:
    """Fixed-window counts in Redis, shared by every API process: ``INCR`` + ``EXPIRE``."""

    def __init__(self, client: redis.Redis, window_seconds: int) -> None:
        self.client = client
        self.window_seconds = window_seconds

    def hit(self, name: str) -> tuple[int, int]:
        window, left = _window(self.window_seconds)
        key = f"logoscore:quota:{name}:{window}"
        try:
            pipeline = self.client.pipeline()
            pipeline.incr(key)
            pipeline.expire(key, self.window_seconds + 1)
            count, _ = pipeline.execute()
        except redis.RedisError as error:
            logger.warning("quota not counted, Redis unreachable: %s", error)
            return 0, left
        return int(count), left


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call, and how often: ``keys`` maps sha256 -> caller; ``quota`` requests per
    window per key (0: no quota)."""

    keys: dict[str, Caller]
    quota: int
    counter: QuotaCounter

    def caller_for(self, key: str | None) -> Caller:
        caller = self.keys.get(hash_key(key)) if key else None
        if caller is not None:
            return caller
        raise HTTPException(
            401,
            f"missing or unknown API key: send your key in the {API_KEY_HEADER} header "
            "(ask the operator of this service for one)",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )

    def count(self, name: str) -> None:
        if self.quota <= 0:
            return
        used, left = self.counter.hit(name)
        if used > self.quota:
            raise HTTPException(
                429,
                f"key {name} has used its {self.quota} requests for this window; retry in "
                f"{left} s, or move large inputs to POST /jobs (one request per VCF)",
                headers={"Retry-After": str(left)},
            )


def open_policy(
    keys_file: Path | None, quota: int, window_seconds: int, redis_url: str | None
) -> AccessPolicy | None:
    """The policy the settings describe; ``None`` (open) without a key file."""
    if keys_file is None:
        return None
    counter: QuotaCounter = (
        RedisQuotaCounter(redis_client(redis_url, FAST_TIMEOUT_SECONDS), window_seconds)
        if redis_url
        else MemoryQuotaCounter(window_seconds)
    )
    return AccessPolicy(load_keys(keys_file), quota, counter)


def require_access(request: Request, key: Annotated[str | None, Security(_api_key)] = None) -> None:
    """Dependency of the guarded routes: a known key within its quota, when keys are set."""
    policy: AccessPolicy | None = getattr(request.app.state, "access", None)
    if policy is None:
        request.state.caller = Caller(OPEN_OWNER)
        return
    caller = policy.caller_for(key)
    policy.count(caller.name)
    request.state.caller = caller


def get_caller(request: Request) -> Caller:
    """The caller ``require_access`` found (the guarded routes only)."""
    caller: Caller = request.state.caller
    return caller
