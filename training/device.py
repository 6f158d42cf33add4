"""Where training runs: the first CUDA GPU when torch sees one, else the CPU; and whether that
device runs bfloat16 matrix products in hardware."""

import torch
from torch import nn


def training_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def bf16_native(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 matrices in hardware: CUDA GPUs from Ampere on,
    CPUs with AVX512-BF16 or AMX. Elsewhere torch emulates bfloat16, far slower than float32
    (a LOGO fine-tuning step of 32 windows on one thread of an AVX2-only AMD EPYC: 25.7 s under
    bfloat16 autocast, 1.87 s in float32)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    if device.type == "cpu":
        return torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    return False


def device_description(bf16: bool = False) -> str:
    """Where this process trains and in which precision, as a model card states it:
    ``cuda (NVIDIA H100 ..., bf16 autocast)`` or ``cpu (1 thread, fp32)``."""
    device = training_device()
    precision = "bf16 autocast" if bf16 and bf16_native(device) else "fp32"
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)}, {precision})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'s' if threads > 1 else ''}, {precision})"
