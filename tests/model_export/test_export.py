import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from core.kmers import Vocabulary
from core.manifest import Feature, file_sha256, load_manifest
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from model_export.cli import export_model_dir
from model_export.fusion import fused_operators, write_fused
from model_export.onnx_export import export_onnx
from model_export.parity import max_abs_difference, real_window_tokens
from service.settings import DEMO_MODEL_DIR
from tests.conftest import SLICE_FASTA
from tests.training.test_model import hand_set_model
from training.checkpoint import Checkpoint, save_checkpoint
from training.model import LogoConfig, LogoModel

SPEC = WindowSpec()


@pytest.fixture(scope="module")
def random_model() -> LogoModel:
    torch.manual_seed(0)
    return LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=3)).eval()


@pytest.mark.parametrize("head_input", ["cls", "cls+mean"])
def test_onnx_equals_torch_within_1e_4_on_real_windows(
    head_input: str, slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    config = LogoConfig(vocab_size=Vocabulary(5).size, outputs=3, head_input=head_input)
    model = LogoModel(config).eval()
    onnx_path = export_onnx(model, tmp_path / "model.onnx", tokens_per_frame=201)
    tokens = real_window_tokens(slice_reference, SPEC, windows=4)  # 4 windows x 2 strands x 5
    assert tokens.shape == (40, 201)
    assert max_abs_difference(model, onnx_path, tokens) <= 1e-4


@pytest.mark.parametrize(("head_input", "attentions"), [("cls", 1), ("cls+mean", 2)])
def test_a_cls_models_graph_computes_its_last_application_for_the_first_token_alone(
    head_input: str, attentions: int, slice_reference: ReferenceGenome, tmp_path: Path
) -> None:
    """Exported and fused, a ``cls`` model's last application is one token's (its 1 x T
    attention left unfused); the probabilities are those of the whole application's first token."""
    torch.manual_seed(0)
    config = LogoConfig(vocab_size=Vocabulary(5).size, outputs=3, head_input=head_input)
    model = LogoModel(config).eval()
    onnx_path = export_onnx(model, tmp_path / "model.onnx", tokens_per_frame=201)
    fused_path = write_fused(onnx_path, tmp_path / "model.fused.onnx")
    fused = onnx.load(str(fused_path))
    assert fused_operators(fused) == {
        "Attention": attentions,
        "SkipLayerNormalization": 4,
        "BiasGelu": 2,
    }
    tokens = real_window_tokens(slice_reference, SPEC, windows=2)
    with torch.no_grad():
        hidden = model.encoder(torch.from_numpy(tokens))  # every token, both applications
        whole = torch.sigmoid(model.head(model.head_inputs(hidden))).numpy()
    for path in (onnx_path, fused_path):
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (probabilities,) = session.run(None, {"tokens": tokens})
        np.testing.assert_allclose(probabilities, whole, atol=1e-6)


def test_the_batch_axis_is_dynamic_and_hand_set_weights_survive_export(tmp_path: Path) -> None:
    onnx_path = export_onnx(hand_set_model(), tmp_path / "model.onnx", tokens_per_frame=201)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    for batch in (1, 7):
        tokens = np.full((batch, 201), 10, dtype=np.int64)
        (probabilities,) = session.run(None, {"tokens": tokens})
        np.testing.assert_allclose(probabilities, [[0.5, 0.75]] * batch, atol=1e-6)


@pytest.mark.slow
def test_export_writes_a_model_directory_the_service_can_load(
    random_model: LogoModel, tmp_path: Path
) -> None:
    features = [Feature(f"f{i}", "test", "") for i in range(3)]
    checkpoint = save_checkpoint(
        Checkpoint(random_model, features, SPEC, "GRCh37", {"parameters": 1}), tmp_path / "m.pt"
    )
    out = tmp_path / "model"
    export_model_dir(checkpoint, SLICE_FASTA, out, "test-model", "0.0.1", parity_variants=4)
    manifest = load_manifest(out)
    assert manifest.onnx.sha256 == file_sha256(out / "model.onnx")
    assert manifest.feature_names == ["f0", "f1", "f2"]
    assert manifest.vocab_size == 3_129 and manifest.window == SPEC
    assert manifest.parity.max_abs_difference <= 1e-4
    assert {"torch", "onnx", "onnxruntime", "logoscore"} <= set(manifest.produced_by)
    assert (out / "MODEL_CARD.md").read_text().startswith("# test-model 0.0.1")
    copies = {(copy.label, copy.provider): copy for copy in manifest.copies}
    assert list(copies) == [
        ("fp32 fused", "cpu"),
        ("int8", "cpu"),
        ("fp16 fused", "cuda"),
        ("fp16", "cuda"),
    ]
    for (label, provider), copy in copies.items():
        assert copy.sha256 == file_sha256(out / copy.file)
        assert copy.parity.variants == 4
        assert copy.parity.logfold_tolerance == (1e-4 if label == "fp32 fused" else 0.01)
        # speed is measured on the copy's own device only (this machine has no CUDA)
        assert (copy.speedup is not None) == (provider == "cpu")
    assert copies["fp32 fused", "cpu"].parity.max_abs_logfold <= 1e-4


def test_the_bundled_demo_model_matches_its_manifest() -> None:
    manifest = load_manifest(DEMO_MODEL_DIR)  # checks the sha256 and the tokenizer
    raw = json.loads((DEMO_MODEL_DIR / "manifest.json").read_text())
    assert raw["assembly"] == "GRCh37" and raw["window"]["length"] == 1000
    assert manifest.window == WindowSpec(1000, 5, "reference", "kmer-frames-v1")
    assert manifest.parity.max_abs_difference <= 1e-4
