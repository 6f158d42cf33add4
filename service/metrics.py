"""Prometheus metrics, served at ``GET /metrics``: request latency, model calls and their fill,
passes, cache hits and misses and whether the cache is reachable, results per status."""

from prometheus_client import Counter, Gauge, Histogram

REQUEST_SECONDS = Histogram(
    "logoscore_request_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
MODEL_BATCH_ROWS = Histogram(
    "logoscore_model_batch_rows",
    "rows per onnxruntime call (one row: one frame of one strand of one allele)",
    buckets=(1, 10, 20, 40, 80, 160, 320, 640, 1280),
)
MODEL_BATCH_FILL = Histogram(
    "logoscore_model_batch_fill",
    "rows per onnxruntime call over the configured batch size",
    buckets=(0.1, 0.25, 0.5, 0.75, 0.9, 1.0),
)
MODEL_ROWS = Counter("logoscore_model_rows", "rows run through the model (passes/s = rate)")
CACHE_LOOKUPS = Counter("logoscore_cache_lookups", "score cache look-ups", ["result"])
CACHE_AVAILABLE = Gauge("logoscore_cache_available", "1 when the score cache is reachable")
RESULTS = Counter("logoscore_results", "results returned, per status", ["status"])
QUEUE_DEPTH = Gauge("logoscore_job_queue_depth", "job chunks waiting for a worker")
JOBS_SUBMITTED = Counter("logoscore_jobs_submitted", "batch jobs submitted")
JOB_STATES = Gauge("logoscore_jobs", "batch jobs kept, per state (read at each scrape)", ["state"])
