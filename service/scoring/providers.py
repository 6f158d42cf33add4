"""Which onnxruntime execution providers run the model, with which options.

``auto`` takes CUDA when onnxruntime has it, else the CPU. ``tensorrt`` (opt-in) builds a
TensorRT fp16 engine of the fp32 graph (TensorRT fuses it itself), with the CUDA provider for
whatever TensorRT does not take and the CPU last. Engines are built once per model file, GPU and
shape profile (minutes) and kept in a cache directory, one folder per model file.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnxruntime

from core.manifest import EXECUTION_PROVIDERS
from service.settings import Provider

CUDA = EXECUTION_PROVIDERS["cuda"]
CPU = EXECUTION_PROVIDERS["cpu"]
TENSORRT = "TensorrtExecutionProvider"
CUDA_OPTIONS: dict[str, Any] = {"arena_extend_strategy": "kSameAsRequested"}
"""The CUDA provider's memory arena grows by what a call asks for, not by doubling: with the
default, each process scoring 4096-row calls of the fp16 fused graph held over 11 GB, and twelve
processes on one 141 GB H200 (``logoscore score --processes 12``, or twelve workers) ran out of
GPU memory (bench/RESULTS.md, 2026-12-04)."""


@dataclass(frozen=True)
class ProviderChoice:
    """The providers a session is made with (most preferred first, each with its options), and
    the device whose model copies it runs (``core.manifest.EXECUTION_PROVIDERS``)."""

    providers: list[tuple[str, dict[str, Any]]]
    device: str

    @property
    def tensorrt(self) -> bool:
        return self.providers[0][0] == TENSORRT


def tensorrt_options(
    cache_dir: Path, input_name: str, tokens_per_frame: int, batch_rows: int
) -> dict[str, Any]:
    """TensorRT in fp16 with a persistent engine and timing cache in ``cache_dir``, for calls of
    1 to ``batch_rows`` rows (the micro-batcher's part-full calls included), tuned for
    ``batch_rows``."""
    shape = f"{input_name}:{{rows}}x{tokens_per_frame}"
    return {
        "trt_fp16_enable": True,
        "trt_engine_cache_enable": True,
        "trt_engine_cache_path": str(cache_dir),
        "trt_timing_cache_enable": True,
        "trt_timing_cache_path": str(cache_dir),
        "trt_profile_min_shapes": shape.format(rows=1),
        "trt_profile_opt_shapes": shape.format(rows=batch_rows),
        "trt_profile_max_shapes": shape.format(rows=batch_rows),
    }


def choose_providers(provider: Provider, tensorrt: dict[str, Any] | None = None) -> ProviderChoice:
    """The providers for the ``provider`` setting (``tensorrt``: the TensorRT options, needed
    for ``Provider.TENSORRT``); a clear error when onnxruntime lacks the one asked for."""
    available = onnxruntime.get_available_providers()
    if provider is Provider.TENSORRT:
        if TENSORRT not in available or CUDA not in available:
            raise RuntimeError(
                "LOGOSCORE_PROVIDER=tensorrt but onnxruntime has no TensorrtExecutionProvider "
                "with CUDA; install logoscore[gpu] and tensorrt-cu13 (and put its libraries on "
                "LD_LIBRARY_PATH) on a machine with a GPU, or set LOGOSCORE_PROVIDER=cuda"
            )
        if tensorrt is None:
            raise ValueError("Provider.TENSORRT needs its options (tensorrt_options)")
        return ProviderChoice([(TENSORRT, tensorrt), (CUDA, CUDA_OPTIONS), (CPU, {})], "cuda")
    if provider is Provider.CUDA and CUDA not in available:
        raise RuntimeError(
            "LOGOSCORE_PROVIDER=cuda but onnxruntime has no CUDAExecutionProvider; install "
            "logoscore[gpu] on a machine with a GPU, or set LOGOSCORE_PROVIDER=auto"
        )
    if provider is not Provider.CPU and CUDA in available:
        return ProviderChoice([(CUDA, CUDA_OPTIONS), (CPU, {})], "cuda")
    return ProviderChoice([(CPU, {})], "cpu")
