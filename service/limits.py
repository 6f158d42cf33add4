"""Request limits: the body size (``LOGOSCORE_MAX_UPLOAD_BYTES``: 413 before the upload is
stored) and the time to an answer (``LOGOSCORE_REQUEST_TIMEOUT_SECONDS``: 504).

A declared ``Content-Length`` over the limit is answered at once, without reading the body; a
body sent without one (chunked) is counted as it arrives, and once it passes the limit reading
stops and whatever the app was about to answer (the form parser's 400, an error) is replaced by
the 413.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(Exception):
    """Raised into the app when a streamed body passes the limit."""


class BodySizeLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        detail = (
            f"the request body is larger than this service's limit of {self.max_bytes:,} bytes "
            "(LOGOSCORE_MAX_UPLOAD_BYTES); compress the VCF (bgzip), split it, or ask the "
            "operator to raise the limit"
        )
        body = json.dumps({"detail": detail}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        exceeded = refused = False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLargeError
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise BodyTooLargeError
            return message

        async def answer(message: Message) -> None:
            nonlocal refused
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start" and not refused:
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not refused:
            await self._refuse(send)


SYNCHRONOUS_SCORING = ("/score", "/ism")
"""The routes that score while the client waits (``/score*``, ``/ism``): the only ones the
timeout applies to (a big upload to ``/jobs`` may take longer than any timeout just to
arrive)."""


def request_timeout(
    seconds: float,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """HTTP middleware answering 504 when a synchronous scoring response has not begun within
    ``seconds`` (``LOGOSCORE_REQUEST_TIMEOUT_SECONDS``). The work already started runs to its
    end (a model call cannot be interrupted) and its scores still reach the cache."""

    async def limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith(SYNCHRONOUS_SCORING):
            return await call_next(request)
        try:
            return await asyncio.wait_for(call_next(request), seconds)
        except TimeoutError:
            detail = (
                f"no answer within {seconds:g} s (LOGOSCORE_REQUEST_TIMEOUT_SECONDS); submit "
                "large inputs as a batch job (POST /jobs; a region: POST /jobs/ism) and poll "
                "GET /jobs/{id}"
            )
            return JSONResponse({"detail": detail}, status_code=504)

    return limit
