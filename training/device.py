"""Where training runs: the first CUDA GPU when torch sees one, else the CPU."""

import torch
from torch import nn


def training_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def device_description() -> str:
    """Where this process trains, as a model card states it: ``cuda (NVIDIA H100 ...)`` or
    ``cpu (1 thread)``."""
    device = training_device()
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'s' if threads > 1 else ''})"
