"""Export a LOGO checkpoint's probability graph to ONNX with a dynamic batch axis."""

import warnings
from pathlib import Path

import torch

from core.kmers import CLS
from training.model import LogoModel, ProbabilityModel

INPUT_NAME = "tokens"
OUTPUT_NAME = "probabilities"
OPSET = 17


def export_onnx(model: LogoModel, path: Path, tokens_per_frame: int) -> Path:
    """Write ``model``'s probabilities ``(B, N)`` for tokens ``(B, T)`` to ``path``."""
    model.eval()
    example = torch.full((2, tokens_per_frame), CLS + 2, dtype=torch.int64)  # B T
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        torch.onnx.export(
            ProbabilityModel(model),
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
            external_data=False,
        )
    return path
