"""``python -m model_export.cli``: checkpoint -> model directory the service loads unchanged.

Writes ``model.onnx``, its fused, int8 and fp16 copies (``model_export.copies``), ``manifest.json``
(with the ONNX sha256, the tool versions and the parity figures) and ``MODEL_CARD.md``; fails
if onnxruntime and torch differ by more than 1e-4.
"""

import argparse
import platform
import shutil
from pathlib import Path

import onnx
import onnxruntime
import torch

from core.evalues import BACKGROUND_FILE
from core.manifest import (
    AuxiliaryFile,
    ModelManifest,
    OnnxFile,
    OnnxParity,
    file_sha256,
    write_manifest,
)
from core.prioritiser import PRIORITISER_FILE
from core.reference import ReferenceGenome
from core.version import logoscore_version
from model_export.copies import PARITY_VARIANTS, add_copies
from model_export.model_card import card_facts, write_model_card
from model_export.onnx_export import INPUT_NAME, OPSET, OUTPUT_NAME, export_onnx
from model_export.parity import max_abs_difference, real_window_tokens
from training.checkpoint import load_checkpoint

PARITY_TOLERANCE = 1e-4
ONNX_FILE = "model.onnx"


def _copy_auxiliary(extras: Path | None, file_name: str, out: Path) -> AuxiliaryFile | None:
    if extras is None or not (extras / file_name).is_file():
        return None
    shutil.copyfile(extras / file_name, out / file_name)
    return AuxiliaryFile(file=file_name, sha256=file_sha256(out / file_name))


def export_model_dir(
    checkpoint_path: Path,
    fasta: Path,
    out: Path,
    name: str,
    model_version: str,
    extras: Path | None = None,
    report: Path | None = None,
    parity_variants: int = PARITY_VARIANTS,
) -> ModelManifest:
    """Write the model directory; ``extras`` may hold ``background.json`` and
    ``prioritiser.json`` (``logoscore-train background``), ``report`` the held-out report JSON."""
    checkpoint = load_checkpoint(checkpoint_path)
    spec = checkpoint.window
    onnx_path = export_onnx(checkpoint.model, out / ONNX_FILE, spec.tokens_per_frame)
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
        tokenizer_version=spec.tokenizer,
        vocab_size=spec.vocabulary.size,
        produced_by={
            "logoscore": logoscore_version(),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "python": platform.python_version(),
        },
        parity=OnnxParity(
            max_abs_difference=float(f"{difference:.3g}"),
            rows=int(tokens.shape[0]),
            windows=f"{tokens.shape[0] // (2 * spec.k)} windows of {fasta.name}, both strands",
            tolerance=PARITY_TOLERANCE,
        ),
        training=checkpoint.training,
        background=_copy_auxiliary(extras, BACKGROUND_FILE, out),
        prioritiser=_copy_auxiliary(extras, PRIORITISER_FILE, out),
        card=card_facts(checkpoint.training, extras, report),
    )
    write_manifest(manifest, out)
    manifest = add_copies(out, fasta, parity_variants)
    if report is not None and report.with_suffix(".md").is_file():
        shutil.copyfile(report.with_suffix(".md"), out / "REPORT.md")
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
    parser.add_argument(
        "--extras", type=Path, help="directory with background.json, prioritiser.json"
    )
    parser.add_argument("--report", type=Path, help="report.json from logoscore-train report")
    args = parser.parse_args(argv)
    manifest = export_model_dir(
        args.checkpoint, args.fasta, args.out, args.name, args.version, args.extras, args.report
    )
    print(f"{args.out}: {manifest.onnx.file} sha256 {manifest.onnx.sha256}")
    parity = manifest.parity
    assert parity is not None  # export measures it
    print(f"parity: max |onnxruntime - torch| = {parity.max_abs_difference:.2e}", end=" ")
    print(f"over {parity.rows} rows")


if __name__ == "__main__":
    main()
