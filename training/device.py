"""Where training runs: the device a process trains on (``--device``; with ``torchrun``, the GPU
of its local rank), the process group of a distributed run, and whether the device runs
bfloat16 matrix products in hardware."""

import os
from dataclasses import dataclass

import torch
from torch import distributed, nn


@dataclass(frozen=True)
class Ranks:
    """This process's place in a run: ``rank`` of ``world_size`` (1: not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def ranks() -> Ranks:
    """From ``torchrun``'s environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``)."""
    return Ranks(
        int(os.environ.get("RANK", 0)),
        int(os.environ.get("WORLD_SIZE", 1)),
        int(os.environ.get("LOCAL_RANK", 0)),
    )


def training_device(choice: str = "auto", local_rank: int = 0) -> torch.device:
    """``cuda`` (the GPU of ``local_rank``), ``cpu``, or ``auto``: CUDA when torch sees a GPU."""
    if choice not in ("auto", "cpu", "cuda"):
        raise ValueError(f"--device {choice!r}: choose auto, cpu or cuda")
    cuda = torch.cuda.is_available()
    if choice == "cuda" and not cuda:
        raise ValueError("--device cuda: torch sees no CUDA device here; use --device cpu")
    if choice == "cuda" or (choice == "auto" and cuda):
        return torch.device("cuda", local_rank % max(1, torch.cuda.device_count()))
    return torch.device("cpu")


def join_process_group(run: Ranks, device: torch.device) -> None:
    """Join ``torchrun``'s process group (NCCL on GPUs, gloo on CPUs) when distributed."""
    if run.world_size > 1 and not distributed.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        if device.type == "cuda":
            torch.cuda.set_device(device)
        distributed.init_process_group(backend)


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


def device_description(device: torch.device, bf16: bool = False, world_size: int = 1) -> str:
    """Where a run trained and in which precision, as a model card states it:
    ``cuda (NVIDIA H100 ..., bf16 autocast)``, ``cpu (1 thread, fp32)``, ``... x 2 processes``."""
    precision = "bf16 autocast" if bf16 and bf16_native(device) else "fp32"
    processes = f" x {world_size} processes" if world_size > 1 else ""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)}, {precision}){processes}"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'s' if threads > 1 else ''}, {precision}){processes}"
