from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings
from tests.service.redis_server import RedisServer


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The real app with the bundled demo model and reference; lifespan runs."""
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server on a free port for one test."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
