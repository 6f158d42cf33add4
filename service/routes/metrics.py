"""``GET /metrics`` in the Prometheus text format, and the middleware timing every request."""

import time
from collections import Counter
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.jobs.records import JobState
from service.jobs.status import job_states
from service.jobs.store import JobStore
from service.metrics import JOB_STATES, QUEUE_DEPTH, REQUEST_SECONDS

router = APIRouter(tags=["metrics"])


@router.get("/metrics", operation_id="metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process, the depth of the job queue it feeds and the number
    of jobs per state."""
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        QUEUE_DEPTH.set(runner.queue_depth())
    store: JobStore | None = getattr(request.app.state, "job_store", None)
    if store is not None:
        states = Counter(job_states(store, store.records()))
        for state in JobState:
            JOB_STATES.labels(state.value).set(states[state])
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
