"""The 2000 bp configuration (ExPecto/Beluga window) trains, exports and serves through the same
code as the 1000 bp LOGO one: a smoke run."""

from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from core.kmers import Vocabulary
from core.manifest import Feature, load_manifest
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from model_export.cli import export_model_dir
from service.main import create_app
from service.settings import DEMO_FASTA, Settings
from tests.conftest import SLICE_FASTA
from tests.training.datasets import slice_bins, slice_samples
from training.checkpoint import Checkpoint, save_checkpoint
from training.finetune import FinetuneSettings, finetune
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel

pytestmark = pytest.mark.slow

LONG = WindowSpec(length=2000, k=5)


def test_a_2000_bp_model_trains_exports_and_serves(tmp_path: Path) -> None:
    reference = ReferenceGenome(SLICE_FASTA)
    starts = slice_bins(1_281_000, 1_299_000, LONG)
    labels = (np.arange(len(starts)) % 2).astype(np.uint8)[:, None]
    samples = slice_samples(tmp_path / "data", reference, starts, labels, spec=LONG)
    torch.manual_seed(0)
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=1))
    settings = FinetuneSettings(LoopSettings(steps=2, warmup_steps=1), batch_size=2)
    history = finetune(model, samples, settings)
    assert len(history.losses) == 2
    checkpoint = save_checkpoint(
        Checkpoint(model.cpu().eval(), [Feature("toy", "test")], LONG, "GRCh37", {}),
        tmp_path / "m.pt",
    )
    out = tmp_path / "model"
    export_model_dir(checkpoint, SLICE_FASTA, out, "long-window", "0.0.1", parity_variants=4)
    manifest = load_manifest(out)
    assert manifest.window == LONG and manifest.parity.max_abs_difference <= 1e-4
    with TestClient(create_app(Settings(model_dir=out, fasta=DEMO_FASTA))) as client:
        (result,) = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()["results"]
        (model_info,) = client.get("/models").json()["models"]
    assert result["status"] == "scored" and model_info["window"] == 2000
