"""``logoscore serve``: uvicorn with bounded connections.

- A connection that has not sent a whole request head within ``LOGOSCORE_HEADER_TIMEOUT_SECONDS``
  (10) is closed (half-sent requests cannot hold connections open); uvicorn alone has no such
  timeout.
- An idle keep-alive connection is closed after ``LOGOSCORE_KEEP_ALIVE_SECONDS`` (5).
- Past ``LOGOSCORE_MAX_CONNECTIONS`` (200) open connections or running requests, a new request
  gets 503 at once.
- On SIGTERM, requests still running get ``LOGOSCORE_SHUTDOWN_TIMEOUT_SECONDS`` (5) to end.
"""

import asyncio
import logging
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.settings import Settings

logger = logging.getLogger(__name__)


class HeadTimeoutProtocol(H11Protocol):
    """h11 with a deadline for each request head: from the connection's start, and from the
    end of each response on a kept-alive connection."""

    head_timeout_seconds = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._expect_head()

    def _expect_head(self) -> None:
        waiting_after = self.cycle

        def expire() -> None:
            if self.cycle is waiting_after and not self.transport.is_closing():
                self.transport.close()

        self.loop.call_later(self.head_timeout_seconds, expire)


def serve(app: FastAPI, settings: Settings, host: str, port: int) -> None:
    """Serve ``app``; the service's own log lines (the model and reference it serves, jobs)
    go to stderr beside uvicorn's."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    logger.info("Swagger UI (try the API, upload a VCF): http://%s:%d/docs", host, port)
    protocol: type[Any] = type(
        "ConfiguredHeadTimeoutProtocol",
        (HeadTimeoutProtocol,),
        {"head_timeout_seconds": settings.header_timeout_seconds},
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=settings.keep_alive_seconds,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        log_level="info",
    )
