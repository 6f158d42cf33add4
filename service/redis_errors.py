"""Redis errors as they may be shown and logged.

redis-py's pipeline errors quote the command that failed (``Command # 1 (SET key value ...) of
pipeline caused error: ...``), and a job store command's arguments hold VCF lines, sample
columns included; only the server's own reply is ever shown or logged.
"""

import redis

_PIPELINE_PREFIX = "caused error: "
MAX_REPLY = 160


def redis_reply(error: redis.RedisError) -> str:
    """The server's reply (or the client's connection error), without the failed command."""
    text = str(error)
    if _PIPELINE_PREFIX in text:
        text = text.split(_PIPELINE_PREFIX, 1)[1]
    return text[:MAX_REPLY]
