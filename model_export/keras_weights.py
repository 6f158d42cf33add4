"""Keras HDF5 weight files, read with h5py and no TensorFlow.

Keras writes ``layer_names`` (every layer of the model, with or without weights) as an attribute
of the file's root (``save_weights``) or of its ``model_weights`` group (``model.save``), long
lists split over ``layer_names0``, ``layer_names1``, ...; each layer's group lists its
``weight_names``, datasets at those paths. Keras loads a layer's weights by their position in
``weight_names`` (the names of sub-layers, ``dense``, ``dense_1``, ..., depend on the process that
wrote the file), so positions are what this reader keeps.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from numpy.typing import NDArray


class KerasFileError(ValueError):
    """The file is not Keras HDF5 weights."""


@dataclass(frozen=True)
class KerasLayer:
    name: str
    weight_names: tuple[str, ...]
    weights: tuple[NDArray[np.float32], ...]

    @property
    def shapes(self) -> tuple[tuple[int, ...], ...]:
        return tuple(weight.shape for weight in self.weights)


def _text(value: Any) -> str:
    return value.decode("utf8") if isinstance(value, bytes | np.bytes_) else str(value)


def _text_list(attrs: h5py.AttributeManager, name: str) -> list[str] | None:
    """An attribute Keras writes as a list of strings (bytes in files of h5py 2), whole or in
    numbered chunks."""
    if name in attrs:
        return [_text(value) for value in attrs[name]]
    chunks: list[str] = []
    while f"{name}{len(chunks)}" in attrs:
        chunks.extend(_text(value) for value in attrs[f"{name}{len(chunks)}"])
    return chunks if chunks else None


def read_keras_layers(path: Path) -> list[KerasLayer]:
    """Every layer of ``path`` in ``layer_names`` order, with its weights (float32)."""
    try:
        file = h5py.File(path, "r")
    except OSError as error:
        raise KerasFileError(
            f"{path} is not an HDF5 file ({error}); pass the .hdf5 weights file as published"
        ) from error
    with file:
        group = file.get("model_weights", file)
        names = _text_list(group.attrs, "layer_names")
        if names is None:
            raise KerasFileError(
                f"{path} has no 'layer_names' attribute at its root or under 'model_weights': "
                "it is not a Keras weights file (written by save_weights or model.save to .hdf5)"
            )
        layers = []
        for name in names:
            if name not in group:
                raise KerasFileError(f"{path} lists layer {name!r} but holds no group for it")
            weight_names = tuple(_text_list(group[name].attrs, "weight_names") or [])
            missing = [weight for weight in weight_names if weight not in group[name]]
            if missing:
                raise KerasFileError(f"{path}: layer {name!r} lists weights it lacks: {missing}")
            weights = tuple(np.asarray(group[name][w], dtype=np.float32) for w in weight_names)
            layers.append(KerasLayer(name, weight_names, weights))
    return layers
