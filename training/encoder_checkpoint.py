"""Pretrained encoder checkpoints: the encoder's weights and config, and the window it read,
without a task head."""

from pathlib import Path
from typing import Any

import torch

from core.windows import WindowSpec
from training.model import LogoConfig, LogoEncoder


def save_encoder(
    encoder: LogoEncoder, path: Path, training: dict[str, Any], window: WindowSpec
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "config": encoder.config.to_dict(),
            "encoder": encoder.state_dict(),
            "training": training,
            "window": window.to_json(),
        },
        path,
    )
    return path


def load_encoder(
    path: Path, window: WindowSpec
) -> tuple[LogoConfig, dict[str, torch.Tensor], dict[str, Any]]:
    """The encoder of ``path``; refused when it was pretrained on windows read otherwise than
    ``window`` (another length, k or frame tail)."""
    raw = torch.load(path, map_location="cpu", weights_only=True)
    pretrained = WindowSpec.from_json(raw.get("window", {"length": 1000, "k": 5}))
    if pretrained != window:
        raise ValueError(
            f"{path} was pretrained on windows {pretrained.to_json()}, the data is "
            f"{window.to_json()}: pretrain on windows read as the model will read them"
        )
    return LogoConfig(**raw["config"]), raw["encoder"], raw["training"]
