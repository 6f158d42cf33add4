"""``python -m model_export.reduced``: add the reduced-precision copies of a model directory's
fp32 ONNX model (``model_export.precision.REDUCED_PRECISIONS``: int8 for the CPU, fp16 for
CUDA), with their parity on variants, to its manifest.

``model_export.cli`` runs this after every export; run it alone on a model directory exported
before reduced precision existed. The fp16 parity is measured on CUDA when onnxruntime has it,
else on the CPU, and the manifest says which.
"""

import argparse
import dataclasses
from pathlib import Path

import onnxruntime

from core.manifest import (
    EXECUTION_PROVIDERS,
    ModelManifest,
    ReducedPrecisionFile,
    file_sha256,
    load_manifest,
    write_manifest,
)
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from model_export.parity import real_window_tokens
from model_export.precision import (
    REDUCED_PRECISIONS,
    parity_snvs,
    session_effects,
    variant_parity,
)

LOGFOLD_TOLERANCE = 0.01
"""The parity figure a reduced copy is judged by (recorded; not enforced for int8)."""
PARITY_VARIANTS = 200


def _session(path: Path, device: str) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=[EXECUTION_PROVIDERS[device]])


def add_reduced_precision(
    model_dir: Path, fasta: Path, variants: int = PARITY_VARIANTS
) -> ModelManifest:
    """Write every copy of ``REDUCED_PRECISIONS`` beside the fp32 model and record them, with
    their parity over ``variants`` SNVs of ``fasta`` (measured on the copy's device when
    onnxruntime has it, else on the CPU), in the manifest."""
    manifest = load_manifest(model_dir)
    fp32_path = model_dir / manifest.onnx.file
    reference = ReferenceGenome(fasta)
    spec = manifest.window
    snvs = parity_snvs(reference, spec, variants)
    samples = real_window_tokens(reference, spec)
    prioritiser = (
        load_prioritiser(model_dir / manifest.prioritiser.file) if manifest.prioritiser else None
    )
    available = onnxruntime.get_available_providers()
    fp32: dict[str, VariantEffects] = {}
    copies = []
    for precision in REDUCED_PRECISIONS:
        path = precision.write(fp32_path, model_dir / precision.file, samples)
        device = precision.device if EXECUTION_PROVIDERS[precision.device] in available else "cpu"
        if device not in fp32:
            fp32[device] = session_effects(_session(fp32_path, device), snvs, spec)
        reduced = session_effects(_session(path, device), snvs, spec)
        parity = variant_parity(fp32[device], reduced, prioritiser, device, LOGFOLD_TOLERANCE)
        copies.append(
            ReducedPrecisionFile(
                precision=precision.name,
                provider=precision.device,
                file=path.name,
                sha256=file_sha256(path),
                parity=parity,
            )
        )
    updated = dataclasses.replace(manifest, reduced_precision=tuple(copies))
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
        priority = float("nan") if parity.max_abs_priority is None else parity.max_abs_priority
        print(
            f"{copy.file} ({copy.precision}, for {copy.provider}): max |logfold - fp32| "
            f"{parity.max_abs_logfold:.4f} (p99 {parity.p99_abs_logfold:.4f}), max "
            f"|priority - fp32| {priority:.4f} over {parity.variants} SNVs, measured on "
            f"{parity.provider}"
        )


if __name__ == "__main__":
    main()
