"""The disease-prioritisation score: a logistic model over a variant's effect vector.

Inputs are the per-feature ``logfold`` then ``diff`` values (``2N``), standardised with the
stored mean and scale; ``priority = sigmoid(weights . x + bias)`` in (0, 1). The coefficients
live in the model directory (``prioritiser.json``), so serving needs numpy only.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

PRIORITISER_FILE = "prioritiser.json"


@dataclass(frozen=True)
class Prioritiser:
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    weights: NDArray[np.float64]
    bias: float
    description: str = ""
    metrics: dict[str, Any] | None = None

    def priority(
        self, logfold: NDArray[np.float64], diff: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Priority ``(V,)`` for effects ``(V, N)``."""
        x = (np.concatenate([logfold, diff], axis=1) - self.mean) / self.scale  # V 2N
        result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": "standardised [logfold (N), diff (N)]",
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "description": self.description,
            "metrics": self.metrics or {},
        }


def load_prioritiser(path: Path) -> Prioritiser:
    raw = json.loads(path.read_text())
    return Prioritiser(
        mean=np.asarray(raw["mean"], dtype=np.float64),
        scale=np.asarray(raw["scale"], dtype=np.float64),
        weights=np.asarray(raw["weights"], dtype=np.float64),
        bias=float(raw["bias"]),
        description=str(raw.get("description", "")),
        metrics=raw.get("metrics", {}),
    )
