"""``GET /metrics`` in the Prometheus text format, and the middleware timing every request."""

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.metrics import QUEUE_DEPTH, REQUEST_SECONDS

router = APIRouter(tags=["metrics"])


@router.get("/metrics", operation_id="metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process (and the depth of the job queue it feeds)."""
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        QUEUE_DEPTH.set(runner.queue_depth())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def time_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Observe each request's latency under its route template (never its path values)."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "unmatched")
    REQUEST_SECONDS.labels(request.method, template, str(response.status_code)).observe(
        time.perf_counter() - started
    )
    return response
