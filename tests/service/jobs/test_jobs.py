"""Batch jobs: in-process by default, on RQ workers over a real redis-server with REDIS_URL."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus as RqJobStatus
from rq.registry import StartedJobRegistry

from service.main import create_app
from service.routes.examples import EXAMPLE_VCF
from service.settings import DEMO_FASTA, Settings
from tests.conftest import VT_INDELS_VCF
from tests.service.redis_server import RedisServer

WORKER = [sys.executable, "-c", "from service.cli import main; main()", "worker"]


def _submit(client: TestClient, vcf: Path, **headers: str) -> dict[str, object]:
    with vcf.open("rb") as handle:
        response = client.post(
            "/jobs", files={"file": (vcf.name, handle, "text/plain")}, headers=headers
        )
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def _wait(client: TestClient, job_id: str, seconds: float = 240) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}").json()
        if status["state"] in ("finished", "failed"):
            return status  # type: ignore[no-any-return]
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish in {seconds} s")


def _direct(client: TestClient, vcf: Path, output_format: str) -> str:
    with vcf.open("rb") as handle:
        response = client.post(
            "/score/vcf",
            files={"file": (vcf.name, handle, "text/plain")},
            params={"format": output_format},
        )
    return response.text


def _rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("#")]


@pytest.mark.slow
def test_an_in_process_job_gives_what_direct_scoring_gives(
    in_process: TestClient, snv_vcf: Path
) -> None:
    submitted = _submit(in_process, snv_vcf, **{"Idempotency-Key": "run-1"})
    again = _submit(in_process, snv_vcf, **{"Idempotency-Key": "run-1"})
    assert again["id"] == submitted["id"]
    status = _wait(in_process, str(submitted["id"]))
    assert status["state"] == "finished"
    alts = [line.split("\t")[4].split(",") for line in _rows(snv_vcf.read_text())]
    assert status["variants_done"] == status["variants_total"] == sum(map(len, alts))
    assert status["chunks_total"] == status["chunks_done"] > 3
    for output_format in ("tsv", "vcf", "ndjson"):
        result = in_process.get(f"/jobs/{submitted['id']}/result", params={"format": output_format})
        assert result.status_code == 200
        assert result.text == _direct(in_process, snv_vcf, output_format)
    assert _job_states(in_process) == {"queued": 0, "running": 0, "finished": 1, "failed": 0}
    assert in_process.delete(f"/jobs/{submitted['id']}").status_code == 204
    assert in_process.get(f"/jobs/{submitted['id']}").status_code == 404
    assert _job_states(in_process)["finished"] == 0


def _job_states(client: TestClient) -> dict[str, int]:
    """``logoscore_jobs{state=...}`` from ``GET /metrics``."""
    text = client.get("/metrics").text
    found = re.findall(r'^logoscore_jobs\{state="(\w+)"\} (\S+)$', text, re.MULTILINE)
    return {state: int(float(value)) for state, value in found}


@pytest.mark.slow
def test_a_result_before_the_end_is_409_and_an_unknown_job_404(in_process: TestClient) -> None:
    assert in_process.get("/jobs/nope").status_code == 404
    submitted = _submit(in_process, VT_INDELS_VCF)
    early = in_process.get(f"/jobs/{submitted['id']}/result")
    assert early.status_code in (200, 409)
    if early.status_code == 409:
        assert "poll GET /jobs/{id}" in early.json()["detail"]
    _wait(in_process, str(submitted["id"]))


def _finished_like_direct(
    client: TestClient, job_id: str, vcf: Path, formats: tuple[str, ...] = ("tsv",)
) -> dict[str, object]:
    """The job's status once finished, after checking that its merged result in each format is
    what scoring ``vcf`` directly gives."""
    status = _wait(client, job_id, seconds=60)
    assert status["state"] == "finished", status["error"]
    assert status["variants_done"] == status["variants_total"]
    for output_format in formats:
        result = client.get(f"/jobs/{job_id}/result", params={"format": output_format})
        assert result.text == _direct(client, vcf, output_format)
    return status


def _start_worker(
    server: RedisServer, *options: str, maintenance_seconds: int = 60
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDIS_URL": server.url,
        "LOGOSCORE_WORKER_MAINTENANCE_SECONDS": str(maintenance_seconds),
    }
    return subprocess.Popen([*WORKER, *options], env=env, stderr=subprocess.DEVNULL)


def _job_queue(connection: redis.Redis) -> Queue:
    """The one chunk queue (named after the API's model and reference)."""
    (queue,) = [q for q in Queue.all(connection=connection) if q.name.startswith("logoscore:")]
    return queue


def test_two_workers_finish_a_chunked_job_equal_to_direct_scoring(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    settings = Settings(redis_url=redis_server.url, job_chunk_variants=40)
    with TestClient(create_app(settings)) as client:
        submitted = _submit(client, snv_vcf)
        assert client.get(f"/jobs/{submitted['id']}").json()["state"] == "queued"
        assert _job_states(client)["queued"] >= 1
        workers = [_start_worker(redis_server, "--burst") for _ in range(2)]
        for worker in workers:
            assert worker.wait(timeout=300) == 0
        _finished_like_direct(client, str(submitted["id"]), snv_vcf, ("tsv", "ndjson"))
        assert _job_states(client)["finished"] >= 1  # read from Redis, whoever ran the chunks


MAINTENANCE_SECONDS = 4


def _back_in_play(connection: redis.Redis, chunk_id: str, dead_worker: str) -> bool:
    """Whether the dead worker's chunk is queued again, taken by another worker, or done."""
    try:
        job = Job.fetch(chunk_id, connection=connection)
    except NoSuchJobError:
        return True  # finished (results are not kept)
    status = job.get_status()
    return status is not RqJobStatus.STARTED or job.worker_name != dead_worker


def test_a_worker_killed_mid_chunk_loses_nothing_and_its_chunk_comes_back_in_two_intervals(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    """A real worker is SIGKILLed mid-chunk; another, already running, queues the chunk again
    within two maintenance intervals (its lease lapses, then maintenance finds it) plus the
    chunk the survivor may be running then."""
    settings = Settings(redis_url=redis_server.url, job_chunk_variants=10)
    connection = redis.Redis.from_url(redis_server.url)
    with TestClient(create_app(settings)) as client:
        submitted = _submit(client, snv_vcf)
        started = StartedJobRegistry(queue=_job_queue(connection))
        doomed = _start_worker(redis_server, maintenance_seconds=MAINTENANCE_SECONDS)
        deadline = time.monotonic() + 120
        while not started.get_job_ids() and time.monotonic() < deadline:
            time.sleep(0.02)
        (chunk_id,) = started.get_job_ids()
        dead_worker = Job.fetch(chunk_id, connection=connection).worker_name
        survivor = _start_worker(redis_server, maintenance_seconds=MAINTENANCE_SECONDS)
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
        killed_at = time.monotonic()
        while not _back_in_play(connection, chunk_id, str(dead_worker)):
            assert time.monotonic() - killed_at < 60, "the dead worker's chunk never came back"
            time.sleep(0.05)
        back_after = time.monotonic() - killed_at
        try:
            _finished_like_direct(client, str(submitted["id"]), snv_vcf)
            result = client.get(f"/jobs/{submitted['id']}/result", params={"format": "tsv"}).text
        finally:
            survivor.terminate()
            survivor.wait(timeout=30)
        direct = _direct(client, snv_vcf, "tsv")
        ids = [row.split("\t")[2] for row in _rows(result)[1:]]
        assert len(ids) == len(_rows(direct)) - 1  # every variant exactly once
        chunk_seconds = 5  # a 10-variant chunk the survivor may be busy with
        assert back_after < 2 * MAINTENANCE_SECONDS + chunk_seconds, back_after


def _other_reference(path: Path) -> Path:
    """The demo reference with one base changed, under the same record name."""
    text = DEMO_FASTA.read_text()
    middle = len(text) // 2
    changed = "A" if text[middle] != "A" else "C"
    path.write_text(text[:middle] + changed + text[middle + 1 :])
    return path


def test_a_worker_with_another_reference_leaves_the_chunks_queued(
    redis_server: RedisServer, snv_vcf: Path, tmp_path: Path
) -> None:
    settings = Settings(redis_url=redis_server.url, job_chunk_variants=40)
    other = _other_reference(tmp_path / "GRCh37_chr20_1-6000000.fa")
    with TestClient(create_app(settings)) as client:
        submitted = _submit(client, snv_vcf)
        env = {**os.environ, "REDIS_URL": redis_server.url}
        refused = subprocess.run(
            [*WORKER, "--burst", "--fasta", str(other)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert refused.returncode == 0, refused.stderr
        assert "job chunks wait on queue logoscore:" in refused.stderr
        assert "another model or reference than this worker's" in refused.stderr
        status = client.get(f"/jobs/{submitted['id']}").json()
        assert (status["state"], status["variants_done"]) == ("queued", 0)
        worker = _start_worker(redis_server, "--burst")
        assert worker.wait(timeout=300) == 0
        _finished_like_direct(client, str(submitted["id"]), snv_vcf)


def test_deleting_a_running_redis_job_is_204_and_it_stays_gone(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    settings = Settings(redis_url=redis_server.url, job_chunk_variants=40)
    connection = redis.Redis.from_url(redis_server.url)
    with TestClient(create_app(settings)) as client:
        submitted = _submit(client, snv_vcf)
        started = StartedJobRegistry(queue=_job_queue(connection))
        worker = _start_worker(redis_server, "--burst")
        while not started.get_job_ids():
            time.sleep(0.02)
        assert client.delete(f"/jobs/{submitted['id']}").status_code == 204
        assert worker.wait(timeout=300) == 0
        assert client.get(f"/jobs/{submitted['id']}").status_code == 404
        assert not [k for k in connection.keys(f"logoscore:job:{submitted['id']}*")]


@pytest.mark.redis
def test_redis_restarted_mid_job_keeps_the_job_and_says_503_meanwhile(
    tmp_path: Path, snv_vcf: Path
) -> None:
    server = RedisServer(tmp_path, extra_arguments=["--appendonly", "yes"])  # as in compose
    server.start()
    try:
        settings = Settings(redis_url=server.url, job_chunk_variants=40)
        with TestClient(create_app(settings)) as client:
            submitted = _submit(client, snv_vcf)
            server.stop()
            during = client.get(f"/jobs/{submitted['id']}")
            assert during.status_code == 503 and "Retry-After" in during.headers
            assert "Redis" in during.json()["detail"]
            scored = client.post("/score", json={"variants": ["20:1292033:C:T"]})
            assert scored.status_code == 200  # scoring goes on without Redis
            server.start()
            assert client.get(f"/jobs/{submitted['id']}").json()["state"] == "queued"
            worker = _start_worker(server, "--burst")
            assert worker.wait(timeout=300) == 0
            _finished_like_direct(client, str(submitted["id"]), snv_vcf)
    finally:
        server.stop()


def test_an_api_restarted_while_a_job_runs_finds_it_and_its_result(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    settings = Settings(redis_url=redis_server.url, job_chunk_variants=40)
    with TestClient(create_app(settings)) as first:
        submitted = _submit(first, snv_vcf)
        worker = _start_worker(redis_server, "--burst")
    # the first API process is gone; the worker goes on
    with TestClient(create_app(settings)) as second:
        assert worker.wait(timeout=300) == 0
        _finished_like_direct(second, str(submitted["id"]), snv_vcf)


def _bgsave_status(connection: redis.Redis, wanted: str) -> None:
    """Start a snapshot and wait until Redis reports its outcome as ``wanted``."""
    connection.bgsave()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        persistence = connection.info("persistence")
        if not persistence["rdb_bgsave_in_progress"]:
            assert persistence["rdb_last_bgsave_status"] == wanted
            return
        time.sleep(0.05)
    pytest.fail("the snapshot did not end")


@pytest.mark.redis
def test_redis_unable_to_write_its_disk_keeps_the_job_and_every_variant(tmp_path: Path) -> None:
    """Redis whose snapshot cannot be written (as on a full disk) refuses every write
    (``MISCONF``): submitting says so (503), a worker stops saying so and loses nothing, and once
    Redis can write again the job finishes with every variant exactly once."""
    example = EXAMPLE_VCF  # 12 SNVs: 3 chunks of 5
    server = RedisServer(tmp_path, extra_arguments=["--save", "3600 1"])  # snapshots, as in use
    server.start()
    connection = redis.Redis.from_url(server.url)
    try:
        settings = Settings(redis_url=server.url, job_chunk_variants=5)
        with TestClient(create_app(settings)) as client:
            submitted = _submit(client, example)
            (tmp_path / "dump.rdb").mkdir()  # the snapshot cannot be written in place
            _bgsave_status(connection, "err")
            refused = client.post("/jobs", files={"file": ("x.vcf", example.read_bytes())})
            assert refused.status_code == 503 and "Retry-After" in refused.headers
            assert "refuses writes" in refused.json()["detail"]
            assert "MISCONF" in refused.json()["detail"]
            assert client.post("/score", json={"variants": ["20:1292033:C:T"]}).status_code == 200
            env = {**os.environ, "REDIS_URL": server.url}
            stopped = subprocess.run([*WORKER, "--burst"], env=env, capture_output=True, text=True)
            assert stopped.returncode == 1
            assert "Redis failed under the worker (MISCONF" in stopped.stderr
            assert "no chunk is lost" in stopped.stderr
            assert "rs11906362" not in stopped.stderr  # no VCF line in what it says
            status = client.get(f"/jobs/{submitted['id']}").json()
            assert (status["state"], status["variants_done"]) == ("queued", 0)
            (tmp_path / "dump.rdb").rmdir()
            _bgsave_status(connection, "ok")
            worker = _start_worker(server, "--burst")
            assert worker.wait(timeout=300) == 0
            _finished_like_direct(client, str(submitted["id"]), example)  # each variant once
    finally:
        server.stop()


def test_a_submitted_job_says_where_it_is(in_process: TestClient) -> None:
    with EXAMPLE_VCF.open("rb") as handle:
        response = in_process.post("/jobs", files={"file": ("demo.vcf", handle)})
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.headers["Location"] == f"/jobs/{job_id}"
    assert in_process.get(response.headers["Location"]).json()["id"] == job_id
