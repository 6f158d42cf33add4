"""Parity of the exported ONNX model with torch, on real reference windows."""

from pathlib import Path

import numpy as np
import onnxruntime
import torch
from numpy.typing import NDArray

from core.effects import strand_rows
from core.reference import ReferenceGenome
from core.windows import WindowSpec, reference_window
from model_export.onnx_export import INPUT_NAME
from training.model import LogoModel


def real_window_tokens(
    reference: ReferenceGenome, spec: WindowSpec, windows: int = 16
) -> NDArray[np.int64]:
    """Tokens of ``windows`` reference windows spread over the first contig, both strands and
    every frame: shape ``(windows * 2 * F, T)``; windows that are mostly N are skipped."""
    span = next(iter(reference.spans.values()))
    sequences: list[str] = []
    for anchor in np.linspace(span.start + spec.length, span.end - 2 * spec.length, windows * 4):
        window = reference_window(reference, span.name, int(anchor), spec)
        if window.count("N") < len(window) // 10:
            sequences.append(window)
        if len(sequences) == windows:
            break
    return strand_rows(sequences, spec)


def max_abs_difference(model: LogoModel, onnx_path: Path, tokens: NDArray[np.int64]) -> float:
    """max |onnxruntime - torch| over all probabilities of ``tokens`` ``(B, T)``."""
    model.eval()
    with torch.no_grad():
        expected = model.probabilities(torch.from_numpy(tokens)).numpy()
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (actual,) = session.run(None, {INPUT_NAME: tokens})
    return float(np.abs(np.asarray(actual) - expected).max())
