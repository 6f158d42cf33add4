"""Pretrained encoder checkpoints: the encoder's weights and config, without a task head."""

from pathlib import Path
from typing import Any

import torch

from training.model import LogoConfig, LogoEncoder


def save_encoder(encoder: LogoEncoder, path: Path, training: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"config": encoder.config.to_dict(), "encoder": encoder.state_dict(), "training": training},
        path,
    )
    return path


def load_encoder(path: Path) -> tuple[LogoConfig, dict[str, torch.Tensor], dict[str, Any]]:
    raw = torch.load(path, map_location="cpu", weights_only=True)
    return LogoConfig(**raw["config"]), raw["encoder"], raw["training"]
