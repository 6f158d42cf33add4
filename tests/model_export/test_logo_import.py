"""``logoscore-train import-logo``: a Keras HDF5 file in LOGO's layout (written here with h5py,
random values) becomes a model directory whose ONNX model computes what LOGO's own equations
compute (``tests.logo_reference``, numpy, not the torch module) on real chr20 windows, and that
the service serves unchanged; files of another layout are refused before anything is written."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch
from fastapi.testclient import TestClient

from core.manifest import Feature, load_manifest
from core.reference import ReferenceGenome
from core.windows import reference_window
from model_export.cli import export_model_dir
from model_export.train_cli import main as train_main
from service.main import create_app
from service.settings import DEMO_FASTA, Settings
from tests.conftest import SLICE_FASTA, THOUSAND_GENOMES_VCF
from tests.logo_reference import LOGO, logo_forward, logo_tokens
from tests.model_export.logo_hdf5 import Layer, logo_layers, weights_of, write_keras_weights
from tests.training.datasets import slice_bins, write_dataset
from training.checkpoint import load_checkpoint
from training.encoder_checkpoint import load_encoder
from training.pipeline import run_background

ANCHORS = (1_281_000, 1_284_321, 1_288_800, 1_292_032, 1_296_500)


def _real_window_tokens() -> np.ndarray:
    """Token rows ``(windows x 2 strands x 5 frames, 200)`` of real chr20 windows, as LOGO's
    scripts form them."""
    reference = ReferenceGenome(SLICE_FASTA)
    windows = [reference_window(reference, "20", anchor, LOGO)[:1000] for anchor in ANCHORS]
    return np.concatenate([logo_tokens(window).reshape(10, 200) for window in windows])


def _import(tmp_path: Path, layers: list[Layer], full_model: bool, names: list[str]) -> Path:
    weights = write_keras_weights(tmp_path / "logo.hdf5", layers, full_model)
    features = tmp_path / "names.txt"
    features.write_text("".join(f"{name}\n" for name in names))
    out = tmp_path / "logo-model"
    train_main(
        ["import-logo", str(weights), "--features", str(features), "--out", str(out),
         "--fasta", str(SLICE_FASTA), "--parity-variants", "4"]
    )  # fmt: skip
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("shared", "outputs", "full_model"),
    [(True, 919, False), (False, 7, True)],
    ids=["albert-919-save_weights", "bert-model_save"],
)
def test_the_imported_onnx_model_computes_logos_equations_on_real_windows(
    tmp_path: Path, shared: bool, outputs: int, full_model: bool
) -> None:
    layers = logo_layers(seed=3, shared=shared, outputs=outputs)
    names = [f"cell{i}|DNase|None" for i in range(outputs)]
    out = _import(tmp_path, layers, full_model, names)
    tokens = _real_window_tokens()
    session = onnxruntime.InferenceSession(str(out / "model.onnx"))
    (served,) = session.run(None, {"tokens": tokens})
    expected = logo_forward(weights_of(layers), tokens)
    assert expected.shape == (50, outputs) and expected.std() > 0.1  # outputs spread over (0, 1)
    assert np.abs(served - expected).max() <= 1e-5
    manifest = load_manifest(out)
    assert manifest.window == LOGO and manifest.vocab_size == 3138
    assert manifest.feature_names == names and manifest.background is None
    assert manifest.training["imported"]["form"].startswith("ALBERT" if shared else "BERT")
    assert (tmp_path / "logo-model.pt").is_file()  # for `logoscore-train background`
    card = (out / "MODEL_CARD.md").read_text()
    assert "LOGO's published weights (logo.hdf5" in card and "imported unchanged" in card


@pytest.mark.slow
def test_the_service_serves_an_imported_model_with_null_scores_and_says_why(
    tmp_path: Path,
) -> None:
    names = ["GM12878|DNase|None", "K562|CTCF|None", "HepG2|H3K4me3|None"]
    out = _import(tmp_path, logo_layers(seed=5, shared=True, outputs=3), False, names)
    with TestClient(create_app(Settings(model_dir=out, fasta=DEMO_FASTA))) as client:
        response = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()
        (model,) = client.get("/models").json()["models"]
    (result,) = response["results"]
    assert result["status"] == "scored" and result["priority"] is None
    assert [f["name"] for f in result["features"]] and all(
        f["evalue"] is None for f in result["features"]
    )
    assert {f["name"] for f in result["features"]} == set(names)
    assert [f["name"] for f in model["features"]] == names
    assert (model["tokenizer"], model["frame_tail"], model["window"]) == (
        "logo-ngram-v1",
        "n-padded",
        1000,
    )
    assert set(model["missing_scores"]) == {"evalue", "priority"}
    assert "no E-value background" in model["missing_scores"]["evalue"]
    assert model["missing_scores"]["priority"] in response["warnings"]
    extras = tmp_path / "extras"  # then `background --fasta` adds them, and a new export
    summary = run_background(
        None, DEMO_FASTA, tmp_path / "logo-model.pt", extras, 1, (1, 3_000_000), 0,
        vcfs=[THOUSAND_GENOMES_VCF],
    )  # fmt: skip
    assert summary["background"].startswith("33 real 1000 Genomes chr20 SNVs (Debian python-")
    assert "and 33 simulated" in summary["background"]  # the VCF's SNVs in 20:1-6000000
    export_model_dir(
        tmp_path / "logo-model.pt", DEMO_FASTA, out, "logo", "1.0.1", extras, parity_variants=4
    )
    with TestClient(create_app(Settings(model_dir=out, fasta=DEMO_FASTA))) as client:
        response = client.post("/score", json={"variants": ["20:1292033:C:T"]}).json()
        (model,) = client.get("/models").json()["models"]
    (result,) = response["results"]
    assert 0 < result["priority"] < 1 and all(0 < f["evalue"] <= 1 for f in result["features"])
    # what calibration would add (model_export.calibration, minutes on a CPU) is said, no more
    assert set(model["missing_scores"]) == {"indel_evalue", "priority_percentile"}
    assert response["warnings"] == list(model["missing_scores"].values())


@pytest.mark.slow
def test_the_pretrained_masked_lm_file_imports_as_an_encoder_finetune_accepts(
    tmp_path: Path,
) -> None:
    layers = logo_layers(seed=7, shared=False, outputs=0, head="masked-lm")
    layers.insert(2, ("Attention-LM-Mask", []))  # LOGO's pretraining script: application='lm'
    weights = write_keras_weights(tmp_path / "LOGO_5_gram.hdf5", layers)
    out = tmp_path / "pretrained"
    train_main(["import-logo", str(weights), "--out", str(out), "--fasta", str(SLICE_FASTA)])
    config, state, training = load_encoder(out / "encoder.pt", LOGO)
    assert not config.shared_blocks and config.norm_eps == 1e-12 and config.block_applications == 2
    assert training["imported"]["causal_mask_dropped"] is True
    arrays = weights_of(layers)
    assert np.array_equal(state["token_embedding.weight"].numpy(), arrays["Embedding-Token"][0])
    positions = arrays["Embedding-Position"][0] + arrays["Embedding-Segment"][0][0]
    assert np.allclose(state["position_embedding.weight"].numpy(), positions, atol=1e-6)
    kernel = arrays["Transformer-1-FeedForward"][2]
    assert torch.equal(state["blocks.1.ffn.2.weight"], torch.from_numpy(kernel.T).float())
    reference = ReferenceGenome(SLICE_FASTA)
    starts = slice_bins(1_281_000, 1_299_000, LOGO)
    labels = (np.arange(len(starts)) % 2).astype(np.uint8)[:, None]
    split = {"train": (starts, labels), "validation": (starts[:8], labels[:8])}
    write_dataset(tmp_path / "data", reference, split, [Feature("toy", "test")], LOGO)
    finetuned = tmp_path / "finetuned.pt"
    train_main(
        ["finetune", "--data", str(tmp_path / "data"), "--out", str(finetuned), "--pretrained",
         str(out / "encoder.pt"), "--steps", "1", "--warmup-steps", "0", "--batch-size", "2"]
    )  # fmt: skip
    model = load_checkpoint(finetuned).model
    assert model.config == replace(config, outputs=1)


def _refusal(tmp_path: Path, layers: list[Layer]) -> str:
    weights = write_keras_weights(tmp_path / "other.hdf5", layers)
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as stop:
        train_main(["import-logo", str(weights), "--out", str(out), "--fasta", str(SLICE_FASTA)])
    assert not out.exists() and not out.with_suffix(".pt").exists()  # never half-loaded
    message = str(stop.value)
    assert "nothing was imported" in message and "Expected" in message and "Found:" in message
    return message


def test_a_missing_layer_is_refused_with_the_layers_found_and_expected(
    tmp_path: Path,
) -> None:
    layers = [
        layer for layer in logo_layers(1, True, 4) if layer[0] != "Transformer-FeedForward-Norm"
    ]
    message = _refusal(tmp_path, layers)
    assert "- missing layer Transformer-FeedForward-Norm" in message
    assert "  Transformer-FeedForward-Norm: 256, 256" in message  # expected, with its shapes
    assert "  Embedding-Token: 3138x128" in message  # found


def test_an_extra_layer_and_a_wrong_shape_are_refused(
    tmp_path: Path,
) -> None:
    layers = logo_layers(1, True, 4)
    extra = np.zeros((256, 4), dtype=np.float32)
    layers.append(("Pooler-Dense", [("Pooler-Dense/kernel:0", extra)]))
    attention = dict(layers)["Transformer-MultiHeadSelfAttention"]
    layers = [
        (name, attention[:6] if name == "Transformer-MultiHeadSelfAttention" else weights)
        for name, weights in layers
    ]
    message = _refusal(tmp_path, layers)
    assert "- unexpected layer Pooler-Dense" in message
    assert (
        "- layer Transformer-MultiHeadSelfAttention has weights 256x256, 256, 256x256, 256, "
        "256x256, 256, expected 256x256, 256, 256x256, 256, 256x256, 256, 256x256, 256" in message
    )


def test_conv1d_weights_and_a_causal_chromatin_model_are_refused(
    tmp_path: Path,
) -> None:
    conv = [("Embedding-Token-Conv1D-2/kernel:0", np.zeros((2, 128, 128), np.float32))]
    layers = logo_layers(1, False, 4)
    message = _refusal(tmp_path, [*layers[:3], ("Embedding-Token-Conv1D-2", conv), *layers[3:]])
    assert "- unexpected layer Embedding-Token-Conv1D-2" in message
    assert "LOGO's Conv1D variant" in message
    causal = _refusal(tmp_path, [*layers[:3], ("Attention-LM-Mask", []), *layers[3:]])
    assert "- unexpected layer Attention-LM-Mask (no weights)" in causal
    assert "causal attention mask" in causal


def test_a_file_that_is_not_keras_weights_is_refused(tmp_path: Path) -> None:
    not_hdf5 = tmp_path / "weights.hdf5"
    not_hdf5.write_text("not hdf5")
    with pytest.raises(SystemExit, match="is not an HDF5 file"):
        train_main(["import-logo", str(not_hdf5), "--out", str(tmp_path / "o"), "--fasta", "x"])
