"""Where training runs: the first CUDA GPU when torch sees one, else the CPU."""

import torch
from torch import nn


def training_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device
