"""``python -m model_export.cli``: checkpoint -> model directory the service loads unchanged.

Writes ``model.onnx``, ``manifest.json`` (with the ONNX sha256, the tool versions and the parity
figure) and ``MODEL_CARD.md``; fails if onnxruntime and torch differ by more than 1e-4.
"""

import argparse
import platform
from importlib.metadata import version
from pathlib import Path

import onnx
import onnxruntime
import torch

from core.kmers import Vocabulary
from core.manifest import ModelManifest, OnnxFile, file_sha256, write_manifest
from core.reference import ReferenceGenome
from model_export.model_card import write_model_card
from model_export.onnx_export import INPUT_NAME, OPSET, OUTPUT_NAME, export_onnx
from model_export.parity import max_abs_difference, real_window_tokens
from training.checkpoint import load_checkpoint

PARITY_TOLERANCE = 1e-4
ONNX_FILE = "model.onnx"


def export_model_dir(
    checkpoint_path: Path, fasta: Path, out: Path, name: str, model_version: str
) -> ModelManifest:
    checkpoint = load_checkpoint(checkpoint_path)
    spec = checkpoint.window
    onnx_path = export_onnx(checkpoint.model, out / ONNX_FILE, 1 + spec.length // spec.k)
    reference = ReferenceGenome(fasta)
    tokens = real_window_tokens(reference, spec)
    difference = max_abs_difference(checkpoint.model, onnx_path, tokens)
    if difference > PARITY_TOLERANCE:
        raise SystemExit(f"ONNX parity failed: max |diff| {difference:.2e} > {PARITY_TOLERANCE}")
    manifest = ModelManifest(
        name=name,
        version=model_version,
        assembly=checkpoint.assembly,
        window=spec,
        features=tuple(checkpoint.features),
        onnx=OnnxFile(
            file=ONNX_FILE,
            sha256=file_sha256(onnx_path),
            input=INPUT_NAME,
            output=OUTPUT_NAME,
            opset=OPSET,
        ),
        vocab_size=Vocabulary(spec.k).size,
        produced_by={
            "logoscore": version("logoscore"),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "python": platform.python_version(),
        },
        parity={
            "max_abs_difference": float(f"{difference:.3g}"),
            "rows": int(tokens.shape[0]),
            "windows": f"{tokens.shape[0] // (2 * spec.k)} windows of {fasta.name}, both strands",
            "tolerance": PARITY_TOLERANCE,
        },
        training=checkpoint.training,
    )
    write_manifest(manifest, out)
    write_model_card(manifest, out)
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model_export.cli", description=__doc__)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument(
        "--fasta", type=Path, required=True, help="reference for the parity windows"
    )
    parser.add_argument("--out", type=Path, required=True, help="model directory to write")
    parser.add_argument("--name", default="logoscore-demo-chr20")
    parser.add_argument("--version", default="0.1.0")
    args = parser.parse_args(argv)
    manifest = export_model_dir(args.checkpoint, args.fasta, args.out, args.name, args.version)
    print(f"{args.out}: {manifest.onnx.file} sha256 {manifest.onnx.sha256}")
    parity = manifest.parity
    print(f"parity: max |onnxruntime - torch| = {parity['max_abs_difference']:.2e}", end=" ")
    print(f"over {parity['rows']} rows")


if __name__ == "__main__":
    main()
