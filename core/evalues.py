"""E-values: how unusual a variant's effect is against background variants (DeepSEA).

Per feature the score is ``|diff x logfold|``. The model directory stores, per feature, the
background scores' quantiles at fixed probabilities (``background.json``), not the raw values.
``E = 1 - ECDF(score)``, the ECDF read off the quantiles by linear interpolation, and floored at
``1 / n`` for a background of ``n`` variants: no E-value claims more than the background can show.
"""

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

BACKGROUND_FILE = "background.json"


def quantile_probabilities() -> NDArray[np.float64]:
    """Denser in the upper tail, where E-values are read: 0..0.9 by 0.01, then to 1 - 1e-4."""
    body = np.linspace(0.0, 0.9, 91)
    tail = 1.0 - np.logspace(-1, -4, 61)[1:]
    return np.concatenate([body, tail, [1.0]])


@dataclass(frozen=True)
class Background:
    """Quantiles ``(N, Q)`` of per-feature background scores at ``probabilities`` ``(Q,)``."""

    probabilities: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    count: int
    description: str = ""

    def evalues(
        self, diff: NDArray[np.float64], logfold: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """E-values ``(V, N)`` of effects ``(V, N)``."""
        scores = np.abs(diff * logfold)  # V N
        ecdf = np.empty_like(scores)
        for feature, (values, probabilities) in enumerate(self._ecdf_knots):
            ecdf[:, feature] = np.interp(
                scores[:, feature], values, probabilities, left=0.0, right=1.0
            )
        evalues: NDArray[np.float64] = np.maximum(1.0 - ecdf, 1.0 / self.count)
        return evalues

    @cached_property
    def _ecdf_knots(self) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
        """Per feature, the ECDF's knots: its distinct quantile values and their probabilities
        (a value tied over several probabilities has the ECDF of the last of them); read once,
        used for every call."""
        knots = []
        for quantiles in self.quantiles:  # each non-decreasing
            values = np.unique(quantiles)
            last = np.searchsorted(quantiles, values, side="right") - 1
            knots.append((values, self.probabilities[last]))
        return knots

    def to_json(self) -> dict[str, object]:
        return {
            "score": "|diff x logfold|",
            "count": self.count,
            "description": self.description,
            "probabilities": self.probabilities.round(8).tolist(),
            "quantiles": self.quantiles.tolist(),
        }


def background_from_scores(scores: NDArray[np.float64], description: str) -> Background:
    """Quantiles of background scores ``(n, N)``."""
    probabilities = quantile_probabilities()
    quantiles = np.quantile(scores, probabilities, axis=0).T  # N Q
    return Background(probabilities, quantiles, count=len(scores), description=description)


def load_background(path: Path) -> Background:
    raw = json.loads(path.read_text())
    return Background(
        probabilities=np.asarray(raw["probabilities"], dtype=np.float64),
        quantiles=np.asarray(raw["quantiles"], dtype=np.float64),
        count=int(raw["count"]),
        description=str(raw.get("description", "")),
    )
