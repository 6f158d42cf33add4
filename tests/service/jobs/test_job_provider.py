"""Jobs scored on another device than the API's (``LOGOSCORE_JOB_PROVIDER``): an API on the CPU
queues its jobs for the GPU workers' model file, and their results name that file."""

import os
import subprocess
import sys
from pathlib import Path

import redis
from fastapi.testclient import TestClient
from rq import Queue

from service.jobs.chunks import job_provenance
from service.jobs.records import JobRecord
from service.jobs.setup import job_model_file
from service.main import create_app
from service.scoring.engine import open_engine
from service.settings import Provider, Settings
from tests.service.redis_server import RedisServer

WORKER = [sys.executable, "-c", "from service.cli import main; main()", "worker"]


def test_the_job_file_follows_the_job_provider_and_the_precision() -> None:
    engine = open_engine(Settings(provider=Provider.CPU))
    labels = {
        provider: job_model_file(Settings(job_provider=provider), engine).label
        for provider in (None, Provider.CPU, Provider.CUDA, Provider.TENSORRT)
    }
    assert labels == {
        None: "fp32 fused",  # the API's own
        Provider.CPU: "fp32 fused",
        Provider.CUDA: "fp16 fused",
        Provider.TENSORRT: "fp16 tensorrt",
    }
    reduced = Settings(job_provider=Provider.CUDA, precision="reduced")
    assert job_model_file(reduced, engine).label == "fp16 fused"


def test_a_job_result_names_the_file_its_workers_ran() -> None:
    engine = open_engine(Settings(provider=Provider.CPU))
    fp16 = job_model_file(Settings(job_provider=Provider.CUDA), engine)
    job = JobRecord(
        id="j",
        owner="lab",
        created=0.0,
        model_sha256=fp16.run_id,
        reference_digest=engine.reference.identity.digest,
        chunk_variants=[1],
        model_precision=fp16.precision,
        model_graph=fp16.graph,
    )
    (model_line, _) = job_provenance(engine, job).lines()
    assert f"sha256={fp16.sha256} precision=fp16 graph=fused" in model_line
    older = JobRecord(**{**job.__dict__, "model_precision": None, "model_graph": None})
    (own_line, _) = job_provenance(engine, older).lines()  # records from before: the API's
    assert f"sha256={engine.model.file.sha256} precision=fp32 graph=fused" in own_line


def test_an_api_on_the_cpu_queues_jobs_for_the_gpu_workers_file(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    settings = Settings(
        provider=Provider.CPU, job_provider=Provider.CUDA, redis_url=redis_server.url
    )
    connection = redis.Redis.from_url(redis_server.url)
    with TestClient(create_app(settings)) as client:
        fp16 = job_model_file(settings, client.app.state.engine)  # type: ignore[attr-defined]
        with snv_vcf.open("rb") as handle:
            submitted = client.post("/jobs", files={"file": (snv_vcf.name, handle)}).json()
        (queue,) = [q for q in Queue.all(connection=connection) if q.name.startswith("logoscore")]
        assert queue.name.split(":")[1] == fp16.short_run_id and queue.count > 0
        # a CPU worker runs another file: it leaves the chunks to the GPU workers
        env = {**os.environ, "REDIS_URL": redis_server.url, "LOGOSCORE_PROVIDER": "cpu"}
        cpu = subprocess.run(
            [*WORKER, "--burst"], env=env, capture_output=True, text=True, timeout=300
        )
        assert cpu.returncode == 0, cpu.stderr
        assert f"wait on queue {queue.name}" in cpu.stderr
        status = client.get(f"/jobs/{submitted['id']}").json()
        assert (status["state"], status["variants_done"]) == ("queued", 0)
