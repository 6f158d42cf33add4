"""``python -m model_export.reduced``: add the int8 (CPU) and fp16 (CUDA) copies of a model
directory's fp32 ONNX model, with their parity on variants, to its manifest.

``model_export.cli`` runs this after every export; run it alone on a model directory exported
before reduced precision existed. The fp16 parity is measured on CUDA when onnxruntime has it,
else on the CPU, and the manifest says which.
"""

import argparse
import dataclasses
from pathlib import Path

import onnxruntime

from core.manifest import (
    ModelManifest,
    ReducedPrecisionFile,
    file_sha256,
    load_manifest,
    write_manifest,
)
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from model_export.parity import real_window_tokens
from model_export.precision import (
    parity_snvs,
    session_effects,
    variant_parity,
    write_fp16,
    write_int8,
)

LOGFOLD_TOLERANCE = 0.01
"""The parity figure a reduced copy is judged by (recorded; not enforced for int8)."""
PARITY_VARIANTS = 200
_CUDA = "CUDAExecutionProvider"


def _session(path: Path, provider: str) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=[provider])


def add_reduced_precision(
    model_dir: Path, fasta: Path, variants: int = PARITY_VARIANTS
) -> ModelManifest:
    """Write ``model.int8.onnx`` and ``model.fp16.onnx`` beside the fp32 model and record them,
    with their parity over ``variants`` SNVs of ``fasta``, in the manifest."""
    manifest = load_manifest(model_dir)
    fp32_path = model_dir / manifest.onnx.file
    reference = ReferenceGenome(fasta)
    spec = manifest.window
    snvs = parity_snvs(reference, spec, variants)
    prioritiser = (
        load_prioritiser(model_dir / manifest.prioritiser.file) if manifest.prioritiser else None
    )
    fp32_cpu = session_effects(_session(fp32_path, "CPUExecutionProvider"), snvs, spec)
    int8_path = write_int8(
        fp32_path, model_dir / "model.int8.onnx", real_window_tokens(reference, spec)
    )
    fp16_path = write_fp16(fp32_path, model_dir / "model.fp16.onnx")
    int8_parity = variant_parity(
        fp32_cpu,
        session_effects(_session(int8_path, "CPUExecutionProvider"), snvs, spec),
        prioritiser,
        "cpu",
    )
    if _CUDA in onnxruntime.get_available_providers():
        fp32_cuda = session_effects(_session(fp32_path, _CUDA), snvs, spec)
        fp16_parity = variant_parity(
            fp32_cuda, session_effects(_session(fp16_path, _CUDA), snvs, spec), prioritiser, "cuda"
        )
    else:
        fp16_parity = variant_parity(
            fp32_cpu,
            session_effects(_session(fp16_path, "CPUExecutionProvider"), snvs, spec),
            prioritiser,
            "cpu",
        )
    copies = tuple(
        ReducedPrecisionFile(
            precision=precision,
            provider=provider,
            file=path.name,
            sha256=file_sha256(path),
            parity={**parity.to_json(), "logfold_tolerance": LOGFOLD_TOLERANCE},
        )
        for precision, provider, path, parity in (
            ("int8", "cpu", int8_path, int8_parity),
            ("fp16", "cuda", fp16_path, fp16_parity),
        )
    )
    updated = dataclasses.replace(manifest, reduced_precision=copies)
    write_manifest(updated, model_dir)
    return updated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model_export.reduced", description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--fasta", type=Path, required=True, help="reference for the variants")
    parser.add_argument("--variants", type=int, default=PARITY_VARIANTS)
    args = parser.parse_args(argv)
    manifest = add_reduced_precision(args.model_dir, args.fasta, args.variants)
    for copy in manifest.reduced_precision:
        parity = copy.parity
        print(
            f"{copy.file} ({copy.precision}, for {copy.provider}): max |logfold - fp32| "
            f"{parity['max_abs_logfold']:.4f} (p99 {parity['p99_abs_logfold']:.4f}), max "
            f"|priority - fp32| {parity.get('max_abs_priority', float('nan')):.4f} over "
            f"{parity['variants']} SNVs, measured on {parity['provider']}"
        )


if __name__ == "__main__":
    main()
