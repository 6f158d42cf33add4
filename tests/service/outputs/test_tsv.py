import math

import numpy as np
import pytest

from core.manifest import load_manifest
from core.reference import ReferenceGenome
from service.outputs.provenance import Provenance
from service.outputs.tsv import TsvWriter
from service.scoring.model import OnnxModel
from service.scoring.scores import ScoreValues
from service.selection import result_view
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Provider

DEMO = load_manifest(DEMO_MODEL_DIR)
ODD = [math.nan, math.inf, -math.inf, -0.0, 1e-300, 123456789.0, 0.1 + 0.2, -2.5e-7, 1.0]


@pytest.fixture(scope="module")
def provenance() -> Provenance:
    model = OnnxModel(DEMO_MODEL_DIR, Provider.CPU, None)
    return Provenance.of(model, ReferenceGenome(DEMO_FASTA))


@pytest.mark.parametrize("with_evalue", [True, False])
def test_each_feature_cell_is_its_value_to_6_significant_digits(
    provenance: Provenance, with_evalue: bool
) -> None:
    """Per reported feature, in model order, ref alt diff logfold evalue as ``f"{v:.6g}"``
    writes them (nan, inf, -0 and all), and empty where the model has no E-values."""
    rng = np.random.default_rng(0)
    n = len(DEMO.features)
    arrays = [rng.normal(0, 10.0 ** rng.integers(-8, 8, n)) for _ in range(5)]
    arrays[3][: len(ODD)] = ODD
    values = ScoreValues(*arrays[:4], evalue=arrays[4] if with_evalue else None, priority=0.5)
    view = result_view(DEMO, ["chip_seq", "motif_CTCF", "RefSeq_TSS"])
    cells = TsvWriter(view, provenance)._feature_cells(values).split("\t")
    expected = [
        "" if array is None else f"{array[i]:.6g}"
        for i in view.selected
        for array in (*arrays[:4], arrays[4] if with_evalue else None)
    ]
    assert cells == expected and len(cells) == 5 * 4
    assert TsvWriter(view, provenance)._feature_cells(None) == "\t" * (5 * 4 - 1)
