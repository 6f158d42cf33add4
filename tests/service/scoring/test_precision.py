"""Which ONNX file the service runs, and that it says so."""

import dataclasses

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.manifest import file_sha256, load_manifest
from service.main import create_app
from service.scoring.model import choose_model_file
from service.settings import DEMO_MODEL_DIR, Precision, Settings

DEMO = load_manifest(DEMO_MODEL_DIR)


@pytest.mark.parametrize(
    ("device", "precision", "expected"),
    [
        ("cpu", Precision.AUTO, "fp32"),  # the int8 copy is outside the logfold tolerance
        ("cuda", Precision.AUTO, "fp16"),  # the fp16 copy is within it
        ("cpu", Precision.REDUCED, "int8"),
        ("cuda", Precision.REDUCED, "fp16"),
        ("cuda", Precision.FP32, "fp32"),
    ],
)
def test_the_model_file_follows_the_device_and_the_precision_setting(
    device: str, precision: Precision, expected: str
) -> None:
    chosen = choose_model_file(DEMO, device, precision)
    assert chosen.precision == expected
    assert chosen.sha256 == file_sha256(DEMO_MODEL_DIR / chosen.file)


def test_reduced_precision_without_a_copy_says_how_to_make_one() -> None:
    bare = dataclasses.replace(DEMO, reduced_precision=())
    assert choose_model_file(bare, "cuda", Precision.AUTO).precision == "fp32"
    with pytest.raises(RuntimeError, match=r"python -m model_export\.reduced"):
        choose_model_file(bare, "cpu", Precision.REDUCED)


def _logfold(client: TestClient) -> tuple[dict[str, object], np.ndarray]:
    """The model named and the logfold per feature, in the manifest's order (results list the
    features by |logfold|, which differs between precisions)."""
    body = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()
    (result,) = body["results"]
    by_name = {f["name"]: f["logfold"] for f in result["features"]}
    return body["model"], np.array([by_name[feature.name] for feature in DEMO.features])


def test_the_int8_copy_serves_and_is_named_in_results_models_and_readiness() -> None:
    int8 = next(c for c in DEMO.reduced_precision if c.precision == "int8")
    with TestClient(create_app(Settings(precision=Precision.REDUCED))) as client:
        model, int8_logfold = _logfold(client)
        (described,) = client.get("/models").json()["models"]
        ready = client.get("/health/ready").json()
    with TestClient(create_app(Settings())) as client:
        fp32_model, fp32_logfold = _logfold(client)
    assert model["precision"] == "int8" and model["sha256"] == int8.sha256
    assert fp32_model["precision"] == "fp32" and fp32_model["sha256"] == DEMO.onnx.sha256
    assert described["precision"] == "int8" and described["provider"] == "CPUExecutionProvider"
    assert described["precision_parity"]["max_abs_logfold"] == int8.parity.max_abs_logfold
    assert ready["precision"] == "int8" and ready["provider"] == "CPUExecutionProvider"
    # int8 noise, within the recorded parity (a maximum over 200 SNVs batched; this variant is
    # alone in its call, quantised with its own activation scale: 0.037 against 0.073)
    difference = np.abs(int8_logfold - fp32_logfold).max()
    assert 0 < difference <= int8.parity.max_abs_logfold
