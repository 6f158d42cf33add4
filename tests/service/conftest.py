from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The real app with the bundled demo model and reference; lifespan runs."""
    with TestClient(create_app(Settings())) as test_client:
        yield test_client
