"""Where a variant's priority stands: its rank among background variants of its own class.

The prioritiser's ``priority`` is a logistic model's output, trained on proxy labels; it is not a
probability of disease, and its scale means little by itself (the demo's median over ordinary
1000 Genomes variants is about 0.76). What a person reads first is its rank: among background
variants of the same class (``snv``; ``indel``, which here includes block substitutions) drawn at
random positions of the model's genome and scored by the same model, the share with a lower
priority (``priority_percentile``, 0-100) and a PHRED-like scaled score, as CADD's:
``-10 log10((k + 1) / (n + 1))`` for ``k`` of ``n`` background variants at or above it (10: top
10%, 20: top 1%; at most ``10 log10(n + 1)``, as far as ``n`` variants can show). The background's
priorities are stored sorted in the model directory (``priority_background.json``).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

PRIORITY_BACKGROUND_FILE = "priority_background.json"
INDEL_BACKGROUND_FILE = "indel_background.json"
VARIANT_CLASSES = ("snv", "indel")
PRIORITY_DESCRIPTION = (
    "prioritisation score in (0, 1) from a logistic model over the variant's effects, trained on "
    "proxy labels (the model card says which); not a probability of disease: read "
    "priority_percentile, its rank among background variants of the same class"
)
"""The one description of ``priority``: JSON schema, VCF header, TSV header and model card."""


def variant_class(ref: str, alt: str) -> str:
    """``snv`` for one base replaced by another, else ``indel`` (with block substitutions)."""
    return "snv" if len(ref) == 1 and len(alt) == 1 else "indel"


@dataclass(frozen=True)
class PriorityRank:
    percentile: float
    phred: float


@dataclass(frozen=True)
class PriorityBackground:
    """Sorted background priorities per variant class, and what they are."""

    priorities: dict[str, NDArray[np.float64]]
    description: str
    summary: dict[str, Any] = field(default_factory=dict)
    """Figures for the model card (e.g. the median percentile of observed variants)."""

    def rank(self, priority: float, variant_class: str) -> PriorityRank | None:
        """``priority``'s rank among the class's background; None if the class has none."""
        background = self.priorities.get(variant_class)
        if background is None or len(background) == 0:
            return None
        below = np.searchsorted(background, priority, side="left")
        at_or_below = np.searchsorted(background, priority, side="right")
        n = len(background)
        percentile = 100.0 * (below + at_or_below) / (2 * n)  # ties count half
        at_or_above = n - below
        phred = -10.0 * np.log10((at_or_above + 1) / (n + 1))
        return PriorityRank(round(float(percentile), 1), round(float(phred), 1))

    def to_json(self) -> dict[str, Any]:
        return {
            "score": "priority",
            "description": self.description,
            "summary": self.summary,
            "classes": {
                name: {"count": len(values), "priorities": np.round(values, 6).tolist()}
                for name, values in self.priorities.items()
            },
        }


def priority_background(
    priorities: dict[str, NDArray[np.float64]], description: str, summary: dict[str, Any]
) -> PriorityBackground:
    return PriorityBackground(
        {name: np.sort(np.round(values, 6)) for name, values in priorities.items()},
        description,
        summary,
    )


def load_priority_background(path: Path) -> PriorityBackground:
    raw = json.loads(path.read_text())
    return PriorityBackground(
        {
            name: np.asarray(entry["priorities"], dtype=np.float64)
            for name, entry in raw["classes"].items()
        },
        str(raw.get("description", "")),
        dict(raw.get("summary", {})),
    )
