"""Which ONNX file the service runs, and that it says so."""

import dataclasses

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.manifest import ModelManifest, file_sha256, load_manifest
from service.main import create_app
from service.scoring.model import choose_model_file
from service.settings import DEMO_MODEL_DIR, Precision, Settings

DEMO = load_manifest(DEMO_MODEL_DIR)


@pytest.mark.parametrize(
    ("device", "precision", "expected"),
    [
        # the fused fp32 graph is at parity and measured faster; int8 is outside the tolerance
        ("cpu", Precision.AUTO, "fp32 fused"),
        ("cuda", Precision.AUTO, "fp16 fused"),  # first at parity, speed not measured here
        ("cpu", Precision.REDUCED, "int8"),
        ("cuda", Precision.REDUCED, "fp16 fused"),
        ("cpu", Precision.FP32, "fp32"),  # the exported graph itself
        ("cuda", Precision.FP32, "fp32"),
    ],
)
def test_the_model_file_follows_the_device_and_the_precision_setting(
    device: str, precision: Precision, expected: str
) -> None:
    chosen = choose_model_file(DEMO, device, precision)
    assert chosen.label == expected
    assert chosen.sha256 == file_sha256(DEMO_MODEL_DIR / chosen.file)


def _with_fused(**changes: object) -> ModelManifest:
    """The demo manifest with its fused CPU copy changed."""
    copies = tuple(
        dataclasses.replace(copy, **changes) if copy.label == "fp32 fused" else copy
        for copy in DEMO.copies
    )
    return dataclasses.replace(DEMO, copies=copies)


def test_a_fused_graph_runs_only_at_parity_and_when_not_measured_slower() -> None:
    fused = next(c for c in DEMO.copies if c.label == "fp32 fused")
    assert fused.speedup is not None and fused.speedup > 1
    assert fused.parity.max_abs_logfold <= fused.parity.logfold_tolerance == 1e-4
    slower = _with_fused(speedup=0.97)
    off = _with_fused(parity=dataclasses.replace(fused.parity, max_abs_logfold=2e-4))
    unmeasured = _with_fused(speedup=None)
    assert choose_model_file(slower, "cpu", Precision.AUTO).label == "fp32"
    assert choose_model_file(off, "cpu", Precision.AUTO).label == "fp32"
    assert choose_model_file(unmeasured, "cpu", Precision.AUTO).label == "fp32 fused"


def test_reduced_precision_without_a_copy_says_how_to_make_one() -> None:
    bare = dataclasses.replace(DEMO, copies=())
    assert choose_model_file(bare, "cuda", Precision.AUTO).precision == "fp32"
    with pytest.raises(RuntimeError, match=r"python -m model_export\.copies"):
        choose_model_file(bare, "cpu", Precision.REDUCED)


def _logfold(client: TestClient) -> tuple[dict[str, object], np.ndarray]:
    """The model named and the logfold per feature, in the manifest's order (results list the
    features by |logfold|, which differs between precisions)."""
    body = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()
    (result,) = body["results"]
    by_name = {f["name"]: f["logfold"] for f in result["features"]}
    return body["model"], np.array([by_name[feature.name] for feature in DEMO.features])


def test_the_copies_serve_and_are_named_in_results_models_and_readiness() -> None:
    int8 = next(c for c in DEMO.copies if c.precision == "int8")
    fused = next(c for c in DEMO.copies if c.label == "fp32 fused")
    served = {}
    for precision in Precision:
        with TestClient(create_app(Settings(precision=precision))) as client:
            model, logfold = _logfold(client)
            (described,) = client.get("/models").json()["models"]
            ready = client.get("/health/ready").json()
        served[precision] = logfold
        expected = {Precision.AUTO: fused, Precision.REDUCED: int8, Precision.FP32: None}
        copy = expected[precision]
        precision_name, graph = (copy.precision, copy.graph) if copy else ("fp32", "unfused")
        sha256 = copy.sha256 if copy else DEMO.onnx.sha256
        assert (model["precision"], model["graph"], model["sha256"]) == (
            precision_name,
            graph,
            sha256,
        )
        assert (described["precision"], described["graph"]) == (precision_name, graph)
        assert (ready["precision"], ready["graph"]) == (precision_name, graph)
        assert described["provider"] == ready["provider"] == "CPUExecutionProvider"
        parity = described["precision_parity"]
        assert parity == (copy.parity.to_json() if copy else {})
        labels = [(c["precision"], c["graph"], c["provider"]) for c in described["copies"]]
        assert labels == [
            ("fp32", "fused", "cpu"),
            ("int8", "unfused", "cpu"),
            ("fp16", "fused", "cuda"),
            ("fp16", "unfused", "cuda"),
        ]
    # the fused graph at its parity; int8 noise within its recorded parity (a maximum over 200
    # SNVs batched; this variant is alone in its call, quantised with its own activation scale)
    assert np.abs(served[Precision.AUTO] - served[Precision.FP32]).max() <= 1e-4
    difference = np.abs(served[Precision.REDUCED] - served[Precision.FP32]).max()
    assert 0 < difference <= int8.parity.max_abs_logfold
