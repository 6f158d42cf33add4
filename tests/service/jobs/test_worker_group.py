"""``logoscore worker --processes N``: N RQ worker processes on the calling process's model
session score a job as direct scoring does, stop together, and never outlive it."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import redis
from fastapi.testclient import TestClient
from rq import Worker

from service.main import create_app
from service.settings import Settings
from tests.service.jobs.test_jobs import WORKER, _direct, _submit, _wait
from tests.service.redis_server import RedisServer


def _start_group(server: RedisServer) -> subprocess.Popen[str]:
    env = {**os.environ, "REDIS_URL": server.url}
    return subprocess.Popen(
        [*WORKER, "--processes", "2"], env=env, stderr=subprocess.PIPE, text=True
    )


def _workers(connection: redis.Redis, count: int) -> list[Worker]:
    """The RQ workers registered, once there are ``count``."""
    deadline = time.monotonic() + 120
    while len(workers := Worker.all(connection=connection)) < count:
        assert time.monotonic() < deadline, "the worker processes never registered"
        time.sleep(0.1)
    return workers


def _gone(pid: int, seconds: float = 30) -> bool:
    """Whether process ``pid`` has ended (or is a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_two_processes_share_a_job_score_it_as_direct_scoring_and_stop_on_sigterm(
    redis_server: RedisServer, snv_vcf: Path
) -> None:
    connection = redis.Redis.from_url(redis_server.url)
    group = _start_group(redis_server)
    try:
        workers = _workers(connection, 2)
        pids = {worker.pid for worker in workers}
        assert len(pids) == 2 and group.pid not in pids
        settings = Settings(redis_url=redis_server.url, job_chunk_variants=40)
        with TestClient(create_app(settings)) as client:
            submitted = _submit(client, snv_vcf)
            status = _wait(client, str(submitted["id"]))
            assert status["state"] == "finished", status["error"]
            assert status["chunks_total"] == status["chunks_done"] >= 4
            result = client.get(f"/jobs/{submitted['id']}/result", params={"format": "tsv"})
            assert result.text == _direct(client, snv_vcf, "tsv")
        # both were waiting for work when the chunks came: each took some
        done = [worker.successful_job_count for worker in Worker.all(connection=connection)]
        assert min(done) >= 1 and sum(done) >= 4
        group.send_signal(signal.SIGTERM)
        _, stderr = group.communicate(timeout=60)
        assert group.returncode == 0, stderr
        assert all(_gone(pid) for pid in pids)
        assert "2 worker processes, their model calls on 1 session(s)" in stderr
        # how busy the session was, in all: at least a call per chunk, none over 80 rows (CPU)
        load = re.search(r"in all: model sessions \(1\): (\d+) calls of (\d+) rows", stderr)
        assert load is not None, stderr
        assert int(load[1]) >= 4 and 0 < int(load[2]) <= 80
    finally:
        group.kill()


def test_a_process_that_ends_unasked_stops_the_others_and_the_worker_exits_1(
    redis_server: RedisServer,
) -> None:
    group = _start_group(redis_server)
    try:
        first, second = _workers(redis.Redis.from_url(redis_server.url), 2)
        os.kill(first.pid, signal.SIGKILL)
        _, stderr = group.communicate(timeout=60)
        assert group.returncode == 1
        assert _gone(second.pid)
        assert "ended (exit status -9); stopping the others" in stderr
        assert "a worker process ended unasked" in stderr
    finally:
        group.kill()


def test_the_processes_end_with_the_worker_that_started_them(redis_server: RedisServer) -> None:
    group = _start_group(redis_server)
    workers = _workers(redis.Redis.from_url(redis_server.url), 2)
    group.kill()
    group.wait()
    assert all(_gone(worker.pid) for worker in workers)
