"""``logoscore serve`` started as a user starts it, on a free port, until ready."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.service.redis_server import free_port

LOGOSCORE = [sys.executable, "-c", "from service.cli import main; main()"]


@contextmanager
def serving(environment: dict[str, str] | None = None) -> Iterator[str]:
    """The base URL of a ready ``logoscore serve`` with no configuration (or the settings in
    ``environment``)."""
    port = free_port()
    process = subprocess.Popen(
        [*LOGOSCORE, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(environment or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("logoscore serve did not become ready in 30 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
