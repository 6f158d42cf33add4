"""Checkpoints: the model's weights with everything needed to export and serve it."""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from core.manifest import Feature
from core.windows import WindowSpec
from training.model import LogoConfig, LogoModel


@dataclass
class Checkpoint:
    model: LogoModel
    features: list[Feature]
    window: WindowSpec
    assembly: str
    training: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(checkpoint: Checkpoint, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "config": checkpoint.model.config.to_dict(),
            "state_dict": checkpoint.model.state_dict(),
            "features": [asdict(feature) for feature in checkpoint.features],
            "window": checkpoint.window.to_json(),
            "assembly": checkpoint.assembly,
            "training": checkpoint.training,
        },
        path,
    )
    return path


def load_checkpoint(path: Path) -> Checkpoint:
    raw = torch.load(path, map_location="cpu", weights_only=True)
    model = LogoModel(LogoConfig(**raw["config"]))
    model.load_state_dict(raw["state_dict"])
    model.eval()
    return Checkpoint(
        model=model,
        features=[Feature(**feature) for feature in raw["features"]],
        window=WindowSpec.from_json(raw["window"]),
        assembly=raw["assembly"],
        training=raw["training"],
    )
