"""``logoscore-train import-logo``: LOGO's published Keras weights as a model directory.

The file's layout is checked first (``model_export.logo_layout``); then bert4keras's layers map
onto ``training.model`` one to one:

- ``Embedding-Token`` is the token table as it is: LOGO's ids (``core.kmers``, ``logo-ngram-v1``);
- ``Embedding-Segment``'s row 0 is added to every row of ``Embedding-Position`` (LOGO always
  feeds segment 0, so it is a constant of each position);
- ``Embedding-Norm``, the blocks' ``-Norm`` layers: ``beta`` then ``gamma``, epsilon 1e-12;
- Dense kernels (Keras ``(in, out)``) are transposed to torch's ``(out, in)``:
  ``Embedding-Mapping``, the attention's q, k, v, o, the feed-forward's two layers and
  ``CLS-Activation``, the head on the first token (LOGO's tokens have no ``cls``: its head reads
  the first k-mer).

A chromatin model (``CLS-Activation``) becomes a checkpoint (``--checkpoint``, for
``logoscore-train background`` later) and a model directory through ``export_model_dir``: ONNX,
manifest, model card and parity, with no E-value background and no prioritiser until
``background`` adds them. LOGO's pretrained masked-LM file becomes ``OUT/encoder.pt``, which
``logoscore-train finetune --pretrained`` reads for data prepared with
``--frame-tail n-padded --tokenizer logo-ngram-v1``.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from core.kmers import LOGO_TOKENIZER, Vocabulary
from core.manifest import file_sha256
from core.windows import WindowSpec
from model_export.cli import export_model_dir
from model_export.copies import PARITY_VARIANTS
from model_export.keras_weights import read_keras_layers
from model_export.logo_layout import CHROMATIN, CHROMATIN_HEAD, LogoLayout, check_layout
from training.checkpoint import Checkpoint, save_checkpoint
from training.data.feature_table import read_feature_names
from training.encoder_checkpoint import save_encoder
from training.model import LogoConfig, LogoEncoder, LogoModel, parameter_count

logger = logging.getLogger(__name__)

LOGO_NORM_EPS = 1e-12
ENCODER_FILE = "encoder.pt"


@dataclass(frozen=True)
class ImportSettings:
    """What the weights do not say: attention heads and, for ALBERT, how many times its one
    block is applied (LOGO's published models: 8 and 2), the window and the assembly."""

    heads: int = 8
    layers: int = 2
    window: int = 1000
    assembly: str = "GRCh37"
    parity_variants: int = PARITY_VARIANTS
    """SNVs on which the reduced-precision copies are compared with fp32."""


def logo_k(vocab: int) -> int:
    """The k whose LOGO vocabulary has ``vocab`` ids."""
    for k in range(1, 9):
        if Vocabulary(k, LOGO_TOKENIZER).size == vocab:
            return k
    raise ValueError(
        f"the token table has {vocab} rows, which is no LOGO k-mer vocabulary "
        f"({', '.join(f'k={k}: {Vocabulary(k, LOGO_TOKENIZER).size}' for k in (3, 4, 5, 6))})"
    )


def logo_config(layout: LogoLayout, settings: ImportSettings) -> LogoConfig:
    return LogoConfig(
        vocab_size=layout.vocab,
        outputs=layout.outputs,
        embedding_dim=layout.embedding,
        hidden_dim=layout.hidden,
        heads=settings.heads,
        ffn_dim=layout.ffn,
        block_applications=settings.layers if layout.shared else len(layout.blocks),
        max_positions=layout.positions,
        norm_eps=LOGO_NORM_EPS,
        shared_blocks=layout.shared,
    )


def _tensor(array: NDArray[np.float32]) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def _dense(prefix: str, kernel: NDArray[np.float32], bias: NDArray[np.float32]) -> dict[str, Any]:
    return {f"{prefix}.weight": _tensor(kernel.T), f"{prefix}.bias": _tensor(bias)}


def _norm(prefix: str, weights: tuple[NDArray[np.float32], ...]) -> dict[str, Any]:
    beta, gamma = weights
    return {f"{prefix}.weight": _tensor(gamma), f"{prefix}.bias": _tensor(beta)}


def encoder_state(layout: LogoLayout) -> dict[str, torch.Tensor]:
    """``LogoEncoder``'s state dict from the file's layers."""
    layers = {name: layer.weights for name, layer in layout.layers.items()}
    segment = layers["Embedding-Segment"][0][0]
    state = {
        "token_embedding.weight": _tensor(layers["Embedding-Token"][0]),
        "position_embedding.weight": _tensor(layers["Embedding-Position"][0] + segment),
        **_norm("embedding_norm", layers["Embedding-Norm"]),
        **_dense("projection", *layers["Embedding-Mapping"]),
    }
    for index, block in enumerate(layout.blocks):
        prefix = "block" if layout.shared else f"blocks.{index}"
        attention = layers[f"{block}-MultiHeadSelfAttention"]
        for position, name in enumerate(("query", "key", "value", "output")):
            state |= _dense(
                f"{prefix}.attention.{name}", *attention[2 * position : 2 * position + 2]
            )
        state |= _norm(f"{prefix}.attention_norm", layers[f"{block}-MultiHeadSelfAttention-Norm"])
        feed_forward = layers[f"{block}-FeedForward"]
        state |= _dense(f"{prefix}.ffn.0", *feed_forward[:2])
        state |= _dense(f"{prefix}.ffn.2", *feed_forward[2:])
        state |= _norm(f"{prefix}.ffn_norm", layers[f"{block}-FeedForward-Norm"])
    return state


def load_logo_model(layout: LogoLayout, settings: ImportSettings) -> LogoModel:
    """The chromatin model of ``layout``: every weight of the torch model set from the file."""
    model = LogoModel(logo_config(layout, settings))
    state = {f"encoder.{name}": value for name, value in encoder_state(layout).items()}
    state |= _dense("head", *layout.layers[CHROMATIN_HEAD].weights)
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_logo_encoder(layout: LogoLayout, settings: ImportSettings) -> LogoEncoder:
    encoder = LogoEncoder(logo_config(layout, settings))
    encoder.load_state_dict(encoder_state(layout), strict=True)
    return encoder.eval()


def import_logo(
    weights: Path,
    features: Path | None,
    out: Path,
    fasta: Path,
    settings: ImportSettings,
    checkpoint_path: Path,
    name: str,
) -> Path:
    """Import ``weights``; the model directory (chromatin) or encoder file (pretrained) written."""
    layout = check_layout(weights, read_keras_layers(weights))
    spec = WindowSpec(settings.window, logo_k(layout.vocab), "n-padded", LOGO_TOKENIZER)
    if spec.tokens_per_frame > layout.positions:
        raise ValueError(
            f"a {spec.length} bp window is {spec.tokens_per_frame} tokens, the model has "
            f"{layout.positions} positions: give a --window of at most "
            f"{layout.positions * spec.k} bp"
        )
    imported = {
        "file": weights.name,
        "sha256": file_sha256(weights),
        "format": "Keras HDF5 written by bert4keras (melobio/LOGO)",
        "form": layout.form,
        "head": layout.head,
        "segment_row_folded_into_positions": True,
        "causal_mask_dropped": layout.causal_mask,
    }
    if layout.head != CHROMATIN:
        encoder = load_logo_encoder(layout, settings)
        training = {"imported": imported, "parameters": parameter_count(encoder)}
        path = save_encoder(encoder, out / ENCODER_FILE, training, spec)
        logger.info("LOGO's pretrained encoder written to %s", path)
        return path
    model = load_logo_model(layout, settings)
    training = {"imported": imported, "parameters": parameter_count(model)}
    checkpoint = Checkpoint(
        model=model,
        features=read_feature_names(features, layout.outputs, weights.name),
        window=spec,
        assembly=settings.assembly,
        training=training,
    )
    save_checkpoint(checkpoint, checkpoint_path)
    logger.info("checkpoint written to %s", checkpoint_path)
    export_model_dir(
        checkpoint_path, fasta, out, name, "1.0.0", parity_variants=settings.parity_variants
    )
    return out
