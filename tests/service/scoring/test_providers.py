"""Execution providers: what each setting asks onnxruntime for, and the errors where it cannot."""

from pathlib import Path

import onnxruntime
import pytest

from core.manifest import load_manifest
from service.scoring.model import OnnxModel, tensorrt_file
from service.scoring.providers import CPU, choose_providers, tensorrt_options
from service.settings import DEMO_MODEL_DIR, Provider


def test_tensorrt_runs_fp16_with_a_kept_engine_for_every_batch_size_up_to_the_calls() -> None:
    options = tensorrt_options(Path("/cache/abc"), "tokens", 201, 4096)
    assert options["trt_fp16_enable"] and options["trt_engine_cache_enable"]
    assert options["trt_engine_cache_path"] == options["trt_timing_cache_path"] == "/cache/abc"
    assert options["trt_profile_min_shapes"] == "tokens:1x201"
    assert options["trt_profile_opt_shapes"] == options["trt_profile_max_shapes"]
    assert options["trt_profile_max_shapes"] == "tokens:4096x201"


@pytest.mark.skipif(
    "TensorrtExecutionProvider" in onnxruntime.get_available_providers(),
    reason="this machine has TensorRT",
)
def test_tensorrt_without_tensorrt_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"tensorrt-cu13.*LOGOSCORE_PROVIDER=cuda"):
        OnnxModel(DEMO_MODEL_DIR, Provider.TENSORRT, None, tensorrt_cache=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing made for an engine that cannot be built


def test_the_cpu_setting_asks_for_the_cpu_alone() -> None:
    choice = choose_providers(Provider.CPU)
    assert choice.providers == [(CPU, {})] and choice.device == "cpu" and not choice.tensorrt


def test_a_tensorrt_engine_is_keyed_apart_from_the_file_it_is_built_from() -> None:
    """Cache keys and job queues must not mix TensorRT's fp16 numbers with the fp32 file's."""
    manifest = load_manifest(DEMO_MODEL_DIR)
    engine = tensorrt_file(manifest)
    assert engine.file == manifest.onnx.file and engine.label == "fp16 tensorrt"
    assert engine.run_id != engine.sha256 and engine.run_id.startswith(engine.sha256)
    assert (
        engine.short_run_id.startswith(engine.sha256[:16])
        and engine.short_run_id != (engine.sha256[:16])
    )
