"""Every Redis connection of the API and the workers is made here, each with explicit timeouts:
a Redis that hangs makes a request fail (503), or the cache and the quota count step aside,
within seconds instead of holding a thread."""

import redis

CONNECT_TIMEOUT_SECONDS = 2.0
JOB_STORE_TIMEOUT_SECONDS = 10.0
"""The job store's commands: a request needs them, so it waits a little."""
FAST_TIMEOUT_SECONDS = 1.0
"""The score cache and the quota count: scoring goes on without them, so they give up fast."""


def redis_client(url: str, timeout_seconds: float = JOB_STORE_TIMEOUT_SECONDS) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=min(CONNECT_TIMEOUT_SECONDS, timeout_seconds),
        socket_timeout=timeout_seconds,
    )
