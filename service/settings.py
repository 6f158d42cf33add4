"""Service settings, from ``LOGOSCORE_*`` environment variables; the defaults serve the bundled
demo model on the bundled reference slice, CPU or GPU as onnxruntime finds it."""

import os
from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.classify import DEFAULT_MAX_ALLELE_LENGTH

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DEMO_MODEL_DIR = REPOSITORY_ROOT / "models" / "demo"
DEMO_FASTA = REPOSITORY_ROOT / "models" / "reference" / "GRCh37_chr20_1-6000000.fa"


def default_tensorrt_cache() -> Path:
    """``$XDG_CACHE_HOME/logoscore/tensorrt`` (``~/.cache`` without it)."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "logoscore" / "tensorrt"


class Provider(StrEnum):
    AUTO = "auto"
    """CUDA when onnxruntime has it, else the CPU."""
    CPU = "cpu"
    CUDA = "cuda"
    TENSORRT = "tensorrt"
    """A TensorRT fp16 engine of the fp32 graph, CUDA for the rest
    (``service.scoring.providers``)."""


class Precision(StrEnum):
    AUTO = "auto"
    """The model directory's first copy for the device (``manifest.json`` ``copies``) whose
    recorded logfold parity is within its tolerance and that was not measured slower than fp32
    (the fused fp32 graph on the CPU, the fused fp16 graph on CUDA for the demo), else fp32."""
    FP32 = "fp32"
    """The exported fp32 graph itself, no copy."""
    REDUCED = "reduced"
    """The first reduced copy for the device (int8 on the CPU, fp16 on CUDA), whatever its
    parity."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOGOSCORE_", protected_namespaces=())

    model_dir: Path = DEMO_MODEL_DIR
    fasta: Path = DEMO_FASTA
    provider: Provider = Provider.AUTO
    precision: Precision = Precision.AUTO
    job_provider: Provider | None = None
    """The provider of the ``logoscore worker`` processes that score this API's jobs
    (``LOGOSCORE_JOB_PROVIDER``: ``cpu``, ``cuda``, ``tensorrt``), when it is not the API's own:
    an API on the CPU with workers on GPUs. With Redis only (in-process jobs run here)."""
    batch_rows: int | None = None
    """Rows (one reading frame of one strand of one allele) per onnxruntime call; unset: 80 on
    the CPU, 4096 on CUDA (``core.manifest.DEVICE_BATCH_ROWS``)."""
    threads: int | None = None
    """onnxruntime's threads per model call on the CPU (``LOGOSCORE_THREADS``, ``--threads``);
    unset: one per core. Set it when several processes share a machine (a cluster job's
    cores)."""
    model_sessions: int | None = None
    """Model sessions in the calling process of ``logoscore score --processes N``, each run by
    a thread serving the workers' calls (``LOGOSCORE_MODEL_SESSIONS``): on a GPU, one call's
    copies and host-side overhead overlap another's kernels; unset: 2 on a GPU, 1 on the CPU
    (where one session's call already takes every core)."""
    tensorrt_cache: Path | None = None
    """Where TensorRT engines are kept (``LOGOSCORE_PROVIDER=tensorrt``), one folder per model
    file; unset: ``default_tensorrt_cache()``."""
    batch_wait_ms: float = 5.0
    """How long the service's micro-batcher holds a part-full call open for other requests."""
    max_variants_per_request: int = 10_000
    """Variants (ALTs; a blank line counts one) in one synchronous request."""
    max_feature_values_per_request: int = 2_000_000
    """Per-feature entries (variants x reported features) of a synchronous answer held whole
    (JSON, TSV): with the demo's 45 features never reached below the variant limit; with 919,
    2,176 variants reporting every feature (NDJSON streams, and is not bounded by it)."""
    max_variants_per_job: int = 10_000_000
    """Variants (ALTs; a blank line counts one) in one batch job: a genome's VCF fits."""
    max_job_result_bytes: int = 16 << 30
    """Bytes one job's stored scores may take (in Redis, or the API's memory without it): a
    job holds at most this over one variant's stored scores (``stored_bytes``: 2.7 kB with the
    demo's 45 features, 6.4 million variants; 49 kB with LOGO-919's 919, 348,000)."""
    max_ism_bases: int = 100
    """Bases of one synchronous in-silico mutagenesis (``POST /ism``): three SNVs, four windows
    each; 100 bp take about 25 s on two CPU cores (bench/RESULTS.md)."""
    max_ism_job_bases: int = 100_000
    """Bases of one in-silico mutagenesis job (``POST /jobs/ism``): 300,000 SNVs."""
    max_bytes_per_request: int = 256 << 20
    """Decompressed bytes of one synchronous upload, counted while it inflates."""
    max_bytes_per_job: int = 4 << 30
    """Decompressed bytes of one job's VCF, counted while it inflates."""
    max_line_bytes: int = 8 << 20
    """Bytes in one line of an upload (a record with its sample columns, or a header line)."""
    max_header_lines: int = 100_000
    """Header lines of an upload (a whole-genome contig list with alt contigs is ~3,400)."""
    max_allele_length: int = DEFAULT_MAX_ALLELE_LENGTH
    """Longest REF or ALT scored; longer ones get the status ``too_long``."""
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "LOGOSCORE_REDIS_URL")
    )
    """Redis for the score cache (``REDIS_URL``); an in-process LRU cache without it."""
    cache_ttl_seconds: int = 30 * 24 * 3600
    cache_capacity: int = 50_000
    """Scores the in-process cache holds at most (2.8 kB each with the demo's 45 features)."""
    cache_max_bytes: int = 256 << 20
    """Bytes the in-process cache's scores may take: fewer than ``cache_capacity`` scores where
    a model has many features (38 kB each with LOGO-919's 919: 7,100 scores)."""
    job_ttl_seconds: int = 7 * 24 * 3600
    """How long a batch job, its input and its result are kept."""
    job_store_capacity: int = 100
    """Jobs the in-process job store (no Redis) keeps; past it the oldest finished or failed
    job is dropped, and a submission finding only unfinished jobs gets 503."""
    job_chunk_variants: int = 200
    """Input ALTs per job chunk: the unit a worker scores, and retries if it dies."""
    worker_maintenance_seconds: int = 60
    """How often a worker looks for chunks whose worker died, to queue them again."""
    api_keys_file: Path | None = None
    """Lines ``<name> <sha256 of the key>`` (``logoscore hash-key``); unset: no keys needed."""
    quota_requests: int = 0
    """Requests per key per quota window; 0: no quota (``service.access``)."""
    quota_window_seconds: int = 60
    max_upload_bytes: int = 1 << 30
    """Largest request body (a VCF upload) accepted; larger ones get 413."""
    request_timeout_seconds: float = 120.0
    """Longest wait for a response to begin; past it 504 pointing to POST /jobs."""
    header_timeout_seconds: float = 10.0
    """Longest a connection may take to send a request head (``service.server``)."""
    keep_alive_seconds: int = 5
    """How long an idle keep-alive connection stays open."""
    max_connections: int = 200
    """Open connections or running requests past which a request gets 503 at once."""
    shutdown_timeout_seconds: int = 5
    """How long running requests get to end after SIGTERM."""
    cors_origins: list[str] = []
    """Origins browsers may call the API from (JSON list); empty: none."""
