"""The image and the compose file, exercised outside Docker (Docker does not run here): every
command they hold runs on this machine as the container would run it, against the demo model."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from core.manifest import DEVICE_BATCH_ROWS, load_manifest
from service.scoring.shared_session import slot_bytes
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Settings
from tests.service.redis_server import RedisServer, free_port

pytestmark = [pytest.mark.slow, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
BIN = Path(sys.executable).parent


def _instruction(start: str) -> str:
    """The arguments of the one Dockerfile instruction starting with ``start``, continuation
    lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    (line,) = [line for line in joined.splitlines() if line.startswith(start)]
    return line.split(" ", 1)[1].strip()


def _exec_form(text: str) -> list[str]:
    command: list[str] = json.loads(text[text.index("[") :])
    return command


def _local(command: list[str], port: int) -> list[str]:
    """The container's command with this venv's executables and a free port."""
    program = BIN / command[0]
    return [str(program), *(part.replace("8000", str(port)) for part in command[1:])]


def _container_environment(mapping: dict[str, str]) -> dict[str, str]:
    """``mapping`` with the mounted paths of the container pointed at the repository's files."""
    local = {"/models/demo": str(DEMO_MODEL_DIR), "/reference/reference.fa": str(DEMO_FASTA)}
    return {**os.environ, **{key: local.get(value, value) for key, value in mapping.items()}}


def test_the_image_runs_as_a_user_and_names_only_settings_that_exist() -> None:
    assert re.search(r"^USER 10001$", DOCKERFILE, re.MULTILINE)
    assert "torch" not in _instruction("RUN pip install").split("pip uninstall")[0]
    names = re.findall(r"(LOGOSCORE_\w+)=", _instruction("ENV LOGOSCORE_MODEL_DIR"))
    fields = {f"LOGOSCORE_{name.upper()}" for name in Settings.model_fields}
    assert names and set(names) <= fields


def test_the_image_command_serves_and_its_healthcheck_sees_it_ready() -> None:
    port = free_port()
    environment = dict(re.findall(r"(\w+)=(\S+)", _instruction("ENV LOGOSCORE_MODEL_DIR")))
    healthcheck = _local(_exec_form(_instruction("HEALTHCHECK")), port)
    assert subprocess.run(healthcheck, capture_output=True).returncode == 1  # nothing serves yet
    server = subprocess.Popen(
        _local(_exec_form(_instruction("CMD")), port),
        env=_container_environment(environment),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while subprocess.run(healthcheck, capture_output=True).returncode != 0:
            assert server.poll() is None, "the image's CMD exited"
            assert time.monotonic() < deadline, "not ready within 90 s"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert subprocess.run(healthcheck, capture_output=True).returncode == 1


def test_compose_has_redis_with_persistence_an_api_and_gpu_and_cpu_workers() -> None:
    services = COMPOSE["services"]
    assert {"redis", "api", "worker-gpu", "worker-cpu"} <= set(services)
    assert "--appendonly" in services["redis"]["command"] and services["redis"]["volumes"]
    gpu = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia" and gpu["capabilities"] == ["gpu"]
    assert services["worker-gpu"]["profiles"] == ["gpu"]
    assert services["worker-cpu"]["profiles"] == ["cpu"]
    assert services["worker-cpu"]["environment"]["LOGOSCORE_PROVIDER"] == "cpu"
    for name in ("api", "worker-gpu", "worker-cpu"):
        mounts = services[name]["volumes"]
        assert all(mount.endswith(":ro") for mount in mounts)  # mounted, read-only, not baked


def test_the_gpu_workers_shared_memory_holds_its_processes_slots_for_a_919_feature_model() -> None:
    worker = COMPOSE["services"]["worker-gpu"]
    processes = int(worker["command"][worker["command"].index("--processes") + 1])
    tokens = load_manifest(DEMO_MODEL_DIR).window.tokens_per_frame
    slot = sum(slot_bytes(DEVICE_BATCH_ROWS["cuda"], tokens, 919))
    size = re.fullmatch(r"(\d+)gb", worker["shm_size"])
    assert size and int(size[1]) * 2**30 >= processes * slot


@pytest.mark.parametrize("name", ["worker-gpu", "worker-cpu"])
def test_compose_worker_commands_run_against_redis(name: str, tmp_path: Path) -> None:
    redis_command = COMPOSE["services"]["redis"]["command"]
    server = RedisServer(tmp_path, extra_arguments=redis_command[1:])
    server.start()
    try:
        service = COMPOSE["services"][name]
        environment = _container_environment({**service["environment"], "REDIS_URL": server.url})
        done = subprocess.run(
            [*_local(service["command"], 0), "--burst"],
            env=environment,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    finally:
        server.stop()
