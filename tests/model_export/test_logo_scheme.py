"""A model in LOGO's configuration (its tokenisation and N-padded 1000 bp window, no cls, the head
on the first k-mer token, layer-norm epsilon 1e-12, unshared blocks) trains, exports and serves
through the same code as the demo's: the manifest carries the scheme and the service reads
windows, tokens and rows as the model was trained."""

from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

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

LOGO = WindowSpec(1000, 5, "n-padded", "logo-ngram-v1")


def test_a_model_in_logos_configuration_trains_exports_and_serves(tmp_path: Path) -> None:
    reference = ReferenceGenome(SLICE_FASTA)
    starts = slice_bins(1_281_000, 1_299_000, LOGO)
    labels = (np.arange(len(starts)) % 2).astype(np.uint8)[:, None]
    samples = slice_samples(tmp_path / "data", reference, starts, labels, spec=LOGO)
    assert samples.tokens(np.array([0])).shape == (1, 5, 200)  # no cls
    torch.manual_seed(0)
    config = LogoConfig(
        vocab_size=LOGO.vocabulary.size, outputs=1, norm_eps=1e-12, shared_blocks=False
    )
    model = LogoModel(config)
    history = finetune(model, samples, FinetuneSettings(LoopSettings(steps=2, warmup_steps=1), 2))
    assert len(history.losses) == 2
    checkpoint = save_checkpoint(
        Checkpoint(model.cpu().eval(), [Feature("toy", "test")], LOGO, "GRCh37", {}),
        tmp_path / "m.pt",
    )
    out = tmp_path / "model"
    export_model_dir(checkpoint, SLICE_FASTA, out, "logo-scheme", "0.0.1", parity_variants=4)
    manifest = load_manifest(out)
    assert manifest.window == LOGO and manifest.tokenizer_version == "logo-ngram-v1"
    assert manifest.vocab_size == 3138 and manifest.parity.max_abs_difference <= 1e-4
    with TestClient(create_app(Settings(model_dir=out, fasta=DEMO_FASTA))) as client:
        (result,) = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()["results"]
        (model_info,) = client.get("/models").json()["models"]
    assert result["status"] == "scored" and model_info["window"] == 1000
