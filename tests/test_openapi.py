import json
from pathlib import Path

from service.main import create_app

COMMITTED = Path(__file__).parents[1] / "openapi" / "openapi.json"


def test_the_committed_openapi_document_matches_the_app() -> None:
    assert json.loads(COMMITTED.read_text()) == create_app().openapi(), (
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    )


def test_operation_ids_are_stable() -> None:
    paths = create_app().openapi()["paths"]
    ids = sorted(op["operationId"] for path in paths.values() for op in path.values())
    assert ids == [
        "example-vcf",
        "health-live",
        "health-ready",
        "ism",
        "jobs-delete",
        "jobs-report",
        "jobs-result",
        "jobs-status",
        "jobs-submit",
        "jobs-submit-ism",
        "metrics",
        "models-list",
        "score-plot",
        "score-variants",
        "score-vcf",
    ]


def test_the_document_names_the_pictures_media_types() -> None:
    paths = create_app().openapi()["paths"]
    ism = paths["/ism"]["post"]["responses"]["200"]["content"]
    assert set(ism) == {"application/json", "image/svg+xml", "image/png"}
    plot = paths["/score/plot"]["get"]["responses"]["200"]["content"]
    assert set(plot) == {"image/svg+xml", "image/png"}
    report = paths["/jobs/{job_id}/report"]["get"]["responses"]["200"]["content"]
    assert set(report) == {"text/html"}
