"""A schema-driven fuzz run (schemathesis) against a live ``logoscore serve``, generated from
the committed ``openapi/openapi.json``: no operation answers 5xx to anything its schema admits
(or to the malformed inputs schemathesis derives from it)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.service.live_server import serving

SCHEMA = schemathesis.openapi.from_path(
    Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The embedded default, but mutagenesis capped at 5 bp: the fuzz looks for 5xx answers,
    which a shorter region finds as well, in seconds rather than minutes."""
    with serving({"LOGOSCORE_MAX_ISM_BASES": "5"}) as url:
        yield url


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.slow
def test_no_operation_answers_5xx(case: schemathesis.Case, server: str) -> None:
    response = case.call(base_url=server, timeout=60)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
