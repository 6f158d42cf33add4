"""Test-only: Keras HDF5 weight files in the layout LOGO's bert4keras models are saved in, with
random values: layer names and order as ``build_transformer_model`` plus LOGO's chromatin head
(or the masked-LM head of its pretrained files) create them, weight names as Keras writes them
(sub-layer Dense names ``dense``, ``dense_1``, ... numbered in creation order)."""

from pathlib import Path

import h5py
import numpy as np
from numpy.typing import NDArray

from tests.logo_reference import Weights

Layer = tuple[str, list[tuple[str, NDArray[np.float32]]]]


def _normal(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> NDArray[np.float32]:
    return rng.normal(0, scale, shape).astype(np.float32)


class _Writer:
    """Random weights scaled so that the outputs spread over (0, 1)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.dense_count = 0

    def dense(
        self, layer: str, inputs: int, outputs: int, sub_layer: bool
    ) -> list[tuple[str, NDArray[np.float32]]]:
        prefix = layer
        if sub_layer:
            prefix = f"{layer}/dense" + (f"_{self.dense_count}" if self.dense_count else "")
            self.dense_count += 1
        return [
            (f"{prefix}/kernel:0", _normal(self.rng, (inputs, outputs), 1.2 / np.sqrt(inputs))),
            (f"{prefix}/bias:0", _normal(self.rng, (outputs,), 0.3)),
        ]

    def norm(self, layer: str, width: int) -> list[tuple[str, NDArray[np.float32]]]:
        return [
            (f"{layer}/beta:0", _normal(self.rng, (width,), 0.2)),
            (f"{layer}/gamma:0", 1 + _normal(self.rng, (width,), 0.2)),
        ]


def logo_layers(
    seed: int,
    shared: bool,
    outputs: int,
    head: str = "chromatin",
    vocab: int = 3138,
    positions: int = 512,
) -> list[Layer]:
    """Every layer of a LOGO model in ``layer_names`` order (hidden 256, embedding 128, FFN 1024,
    two layers), with random weights."""
    writer = _Writer(np.random.default_rng(seed))
    embedding, hidden, ffn = 128, 256, 1024
    layers: list[Layer] = [
        ("Input-Token", []),
        ("Input-Segment", []),
        (
            "Embedding-Token",
            [("Embedding-Token/embeddings:0", _normal(writer.rng, (vocab, embedding), 1.0))],
        ),
        (
            "Embedding-Segment",
            [("Embedding-Segment/embeddings:0", _normal(writer.rng, (2, embedding), 0.5))],
        ),
        ("Embedding-Token-Segment", []),
        (
            "Embedding-Position",
            [("Embedding-Position/embeddings:0", _normal(writer.rng, (positions, embedding), 0.5))],
        ),
        ("Embedding-Norm", writer.norm("Embedding-Norm", embedding)),
        ("Embedding-Mapping", writer.dense("Embedding-Mapping", embedding, hidden, False)),
    ]
    for block in ["Transformer"] if shared else ["Transformer-0", "Transformer-1"]:
        attention, feed_forward = f"{block}-MultiHeadSelfAttention", f"{block}-FeedForward"
        weights = [w for _ in range(4) for w in writer.dense(attention, hidden, hidden, True)]
        layers += [
            (attention, weights),
            (f"{attention}-Add", []),
            (f"{attention}-Norm", writer.norm(f"{attention}-Norm", hidden)),
            (
                feed_forward,
                writer.dense(feed_forward, hidden, ffn, True)
                + writer.dense(feed_forward, ffn, hidden, True),
            ),
            (f"{feed_forward}-Add", []),
            (f"{feed_forward}-Norm", writer.norm(f"{feed_forward}-Norm", hidden)),
        ]
    if head == "chromatin":
        layers += [
            ("CLS-token", []),
            ("CLS-Activation", writer.dense("CLS-Activation", hidden, outputs, False)),
        ]
    else:
        layers += [
            ("MLM-Dense", writer.dense("MLM-Dense", hidden, embedding, False)),
            ("MLM-Norm", writer.norm("MLM-Norm", embedding)),
            ("MLM-Bias", [("MLM-Bias/bias:0", _normal(writer.rng, (vocab,), 0.1))]),
            ("MLM-Activation", []),
        ]
    return layers


def write_keras_weights(path: Path, layers: list[Layer], full_model: bool = False) -> Path:
    """``layers`` as Keras writes them: ``save_weights`` (names as bytes, at the root) or
    ``model.save`` (under ``model_weights``, names as strings, as h5py 3 writes them)."""

    def encode(name: str) -> str | bytes:
        return name if full_model else name.encode("utf8")

    with h5py.File(path, "w") as file:
        group = file.create_group("model_weights") if full_model else file
        group.attrs["layer_names"] = [encode(name) for name, _ in layers]
        for name, weights in layers:
            layer = group.create_group(name)
            layer.attrs["weight_names"] = [encode(weight_name) for weight_name, _ in weights]
            for weight_name, array in weights:
                layer.create_dataset(weight_name, data=array)
    return path


def weights_of(layers: list[Layer]) -> Weights:
    """Layer name -> weights in order, float64 (for ``tests.logo_reference.logo_forward``)."""
    return {name: [a.astype(np.float64) for _, a in weights] for name, weights in layers if weights}
