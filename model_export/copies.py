"""``python -m model_export.copies``: write the other graphs of a model directory's fp32 ONNX
model (``COPIES``: fused, reduced precision, or both) and record each in its manifest with its
parity on variants and, where its device is here, its speed against the fp32 model.

``model_export.cli`` runs this after every export; run it alone on a model directory exported
before a copy existed, or on a GPU machine to measure the CUDA copies there (parity and speed;
elsewhere their parity is measured on the CPU and their speed is not measured).
"""

import argparse
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.manifest import (
    DEVICE_BATCH_ROWS,
    EXECUTION_PROVIDERS,
    ModelCopy,
    ModelManifest,
    file_sha256,
    load_manifest,
    write_manifest,
)
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from model_export.fusion import write_fused, write_fused_fp16
from model_export.parity import real_window_tokens
from model_export.precision import (
    parity_snvs,
    session_effects,
    variant_parity,
    write_fp16,
    write_int8,
)

REDUCED_TOLERANCE = 0.01
"""The logfold parity a reduced-precision copy is judged by."""
FUSED_TOLERANCE = 1e-4
"""The logfold parity a fused fp32 copy is judged by: the same arithmetic, reordered."""
PARITY_VARIANTS = 200
SPEED_ROUNDS = 3
SPEED_SECONDS = 0.5
SPEED_CALLS = 20
"""Each round times each graph for ``SPEED_SECONDS`` or ``SPEED_CALLS`` calls, whichever ends
first (a small model's calls are milliseconds); the best round counts."""


@dataclass(frozen=True)
class CopyRecipe:
    """One copy a model directory gets: its precision and graph, the device it is for
    (``core.manifest.EXECUTION_PROVIDERS``), its file, how it is written from the fp32 model
    (``samples``: real token rows, for copies that calibrate on activations), and the logfold
    parity it must keep for the service to choose it unasked."""

    precision: str
    graph: str
    device: str
    file: str
    write: Callable[[Path, Path, NDArray[np.int64]], Path]
    logfold_tolerance: float


COPIES = (
    CopyRecipe("fp32", "fused", "cpu", "model.fused.onnx", write_fused, FUSED_TOLERANCE),
    CopyRecipe("int8", "unfused", "cpu", "model.int8.onnx", write_int8, REDUCED_TOLERANCE),
    CopyRecipe(
        "fp16", "fused", "cuda", "model.fp16.fused.onnx", write_fused_fp16, REDUCED_TOLERANCE
    ),
    CopyRecipe("fp16", "unfused", "cuda", "model.fp16.onnx", write_fp16, REDUCED_TOLERANCE),
)
"""Every copy, in the order the service prefers them on their device (the first at parity and
not measured slower than fp32 is run): adding one is one row."""


def _session(path: Path, device: str) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=[EXECUTION_PROVIDERS[device]])


def _seconds_per_call(session: onnxruntime.InferenceSession, rows: NDArray[np.int64]) -> float:
    """Mean seconds of one call on ``rows`` over ``SPEED_SECONDS`` or ``SPEED_CALLS`` calls."""
    name = session.get_inputs()[0].name
    calls, started, elapsed = 0, time.perf_counter(), 0.0
    while calls < SPEED_CALLS and (calls == 0 or elapsed < SPEED_SECONDS):
        session.run(None, {name: rows})
        calls += 1
        elapsed = time.perf_counter() - started
    return elapsed / calls


def relative_speed(
    fp32: onnxruntime.InferenceSession,
    copy: onnxruntime.InferenceSession,
    samples: NDArray[np.int64],
    rows: int,
) -> float:
    """Rows a second of ``copy`` over ``fp32``'s, on ``rows`` real token rows a call, the two
    timed in alternating rounds (the best round of each counts)."""
    batch = np.resize(samples, (rows, samples.shape[1]))
    for session in (fp32, copy):  # warm-up: arenas, kernels
        session.run(None, {session.get_inputs()[0].name: batch})
    best_fp32, best_copy = float("inf"), float("inf")
    for _ in range(SPEED_ROUNDS):
        best_fp32 = min(best_fp32, _seconds_per_call(fp32, batch))
        best_copy = min(best_copy, _seconds_per_call(copy, batch))
    return round(best_fp32 / best_copy, 3)


def add_copies(model_dir: Path, fasta: Path, variants: int = PARITY_VARIANTS) -> ModelManifest:
    """Write every copy of ``COPIES`` beside the fp32 model and record them in the manifest,
    with their parity over ``variants`` SNVs of ``fasta`` and their speed, both measured on the
    copy's device when onnxruntime has it (else parity on the CPU and no speed)."""
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
    fp32_sessions: dict[str, onnxruntime.InferenceSession] = {}
    fp32_effects: dict[str, VariantEffects] = {}
    copies = []
    for recipe in COPIES:
        path = recipe.write(fp32_path, model_dir / recipe.file, samples)
        on_device = EXECUTION_PROVIDERS[recipe.device] in available
        device = recipe.device if on_device else "cpu"
        if device not in fp32_sessions:
            fp32_sessions[device] = _session(fp32_path, device)
            fp32_effects[device] = session_effects(fp32_sessions[device], snvs, spec)
        session = _session(path, device)
        effects = session_effects(session, snvs, spec)
        parity = variant_parity(
            fp32_effects[device], effects, prioritiser, device, recipe.logfold_tolerance
        )
        speedup = None
        if on_device:
            speedup = relative_speed(
                fp32_sessions[device], session, samples, DEVICE_BATCH_ROWS[device]
            )
        copies.append(
            ModelCopy(
                precision=recipe.precision,
                provider=recipe.device,
                file=path.name,
                sha256=file_sha256(path),
                parity=parity,
                graph=recipe.graph,
                speedup=speedup,
            )
        )
    updated = dataclasses.replace(manifest, copies=tuple(copies))
    write_manifest(updated, model_dir)
    return updated


def copy_line(copy: ModelCopy) -> str:
    """One line on a copy: its parity and speed, and where they were measured."""
    parity = copy.parity
    priority = float("nan") if parity.max_abs_priority is None else parity.max_abs_priority
    speed = "speed not measured" if copy.speedup is None else f"{copy.speedup:.2f}x fp32's speed"
    return (
        f"{copy.file} ({copy.label}, for {copy.provider}): max |logfold - fp32| "
        f"{parity.max_abs_logfold:.2e} (p99 {parity.p99_abs_logfold:.2e}, tolerance "
        f"{parity.logfold_tolerance:g}), max |priority - fp32| {priority:.4f} over "
        f"{parity.variants} SNVs, measured on {parity.provider}; {speed}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model_export.copies", description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--fasta", type=Path, required=True, help="reference for the variants")
    parser.add_argument("--variants", type=int, default=PARITY_VARIANTS)
    args = parser.parse_args(argv)
    manifest = add_copies(args.model_dir, args.fasta, args.variants)
    for copy in manifest.copies:
        print(copy_line(copy))


if __name__ == "__main__":
    main()
