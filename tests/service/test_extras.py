"""A model directory with E-value background and prioritiser, served unchanged."""

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from core.evalues import background_from_scores
from core.kmers import Vocabulary
from core.manifest import Feature, ManifestError, load_manifest
from core.prioritiser import Prioritiser
from core.windows import WindowSpec
from model_export.cli import export_model_dir
from service.main import create_app
from service.settings import DEMO_FASTA, Settings
from training.checkpoint import Checkpoint, save_checkpoint
from training.model import LogoConfig, LogoModel

FEATURES = [Feature("f0", "annotation"), Feature("f1", "tf_motif")]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("model")
    torch.manual_seed(0)
    small = {"embedding_dim": 16, "hidden_dim": 32, "heads": 2, "ffn_dim": 64}  # quick export
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=2, **small)).eval()
    checkpoint = save_checkpoint(
        Checkpoint(model, FEATURES, WindowSpec(), "GRCh37", {}), work / "m.pt"
    )
    extras = work / "extras"
    extras.mkdir()
    background = background_from_scores(
        np.linspace(0, 1e-6, 500)[:, None].repeat(2, axis=1), "test"
    )
    (extras / "background.json").write_text(json.dumps(background.to_json()))
    prioritiser = Prioritiser(np.zeros(4), np.ones(4), np.array([0.5, 0.5, 0.0, 0.0]), 0.0)
    (extras / "prioritiser.json").write_text(json.dumps(prioritiser.to_json()))
    out = work / "model"
    export_model_dir(checkpoint, DEMO_FASTA, out, "test-extras", "0.0.1", extras, parity_variants=4)
    return out


@pytest.fixture(scope="module")
def client(model_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(model_dir=model_dir, fasta=DEMO_FASTA))) as test_client:
        yield test_client


def test_scored_variants_carry_evalues_and_a_priority(client: TestClient) -> None:
    body = client.post("/score", json={"variants": ["20:1292033:C:T", "20:1292033:G:T"]}).json()
    scored, mismatch = body["results"]
    assert 0.0 < scored["priority"] < 1.0
    for feature in scored["features"]:
        assert 1 / 500 <= feature["evalue"] <= 1.0
        # E = 1 - ECDF of |diff x logfold| against a background spread over [0, 1e-6]
        effect = abs(feature["diff"] * feature["logfold"])
        expected = max(1 / 500, 1 - min(1.0, effect / 1e-6))
        assert feature["evalue"] == pytest.approx(expected, abs=0.01)
    assert mismatch["priority"] is None and mismatch["features"] == []


def test_models_shows_the_card_facts(client: TestClient) -> None:
    (model,) = client.get("/models").json()["models"]
    assert "not for clinical decisions" in model["card"]["summary"]
    assert model["card"]["limits"]


def test_a_changed_background_file_is_refused(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    copy.mkdir()
    for path in model_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "background.json").write_text("{}")
    with pytest.raises(ManifestError, match=r"background\.json has sha256 .* re-export"):
        load_manifest(copy)
