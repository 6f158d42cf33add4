"""Model-only throughput: torch eager vs onnxruntime fp32 vs the model's copies (fused, reduced).

Every engine runs the demo model's architecture on the same real token rows (one row = one
reading frame of one strand of one allele; a variant is 20 rows), in rounds that alternate the
engines (best round of each kept), so ratios compare figures taken in one run. torch eager runs
the same architecture with fresh weights (speed does not depend on their values; the demo
checkpoint is not shipped). On the CPU it prints the fraction of fp32 peak each reaches,
``cores x 32 FLOP/cycle x clock`` (clock from ``/proc/cpuinfo`` unless ``--clock-ghz``); on
CUDA (``--device cuda``, onnxruntime-gpu) fp16 and fp32 at each ``--batch-rows`` and the fp16
copy's parity with fp32 on CUDA, over SNVs.

    .venv/bin/python bench/model_precision.py [--seconds 8] [--rounds 3] [--batch-rows 320]
"""

import argparse
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime
from numpy.typing import NDArray
from row_flop import flop_per_row

from core.manifest import ModelManifest, load_manifest
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from model_export.parity import real_window_tokens
from model_export.precision import parity_snvs, session_effects, variant_parity

REPOSITORY = Path(__file__).resolve().parents[1]
MODEL_DIR = REPOSITORY / "models" / "demo"
FASTA = REPOSITORY / "models" / "reference" / "GRCh37_chr20_1-6000000.fa"


def flop_per_cycle() -> int:
    """fp32 FLOP per cycle and core: two 16-wide FMA pipes (64) on an Intel CPU with AVX-512,
    else two 8-wide ones (32: AVX2, or AVX-512 double-pumped as on AMD Zen 4)."""
    info = Path("/proc/cpuinfo").read_text()
    return 64 if "GenuineIntel" in info and " avx512f" in info else 32


ROWS_PER_VARIANT = 20

Runner = Callable[[NDArray[np.int64]], object]


def cpu_clock_ghz() -> float:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("cpu MHz"):
            return float(line.split(":")[1]) / 1000
    raise SystemExit("no clock in /proc/cpuinfo: pass --clock-ghz")


def onnx_runner(path: Path, provider: str, threads: int) -> Runner:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(str(path), options, providers=[provider])
    name = session.get_inputs()[0].name
    return lambda rows: session.run(None, {name: rows})


def torch_runner(manifest: ModelManifest, device: str, threads: int, half: bool) -> Runner:
    # torch's OpenMP threads would otherwise spin after each call, slowing the engine after it
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    from training.model import LogoConfig, LogoModel

    torch.set_num_threads(threads)
    model = LogoModel(LogoConfig(vocab_size=manifest.vocab_size, outputs=len(manifest.features)))
    model = model.eval().to(device)
    if half:
        model = model.half()

    def run(rows: NDArray[np.int64]) -> object:
        with torch.inference_mode():
            result = model.probabilities(torch.from_numpy(rows).to(device))
            return result.float().cpu().numpy()

    return run


def rows_per_second(runner: Runner, rows: NDArray[np.int64], seconds: float) -> float:
    started, done = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        runner(rows)
        done += len(rows)
    return done / (time.perf_counter() - started)


def measure(
    runners: dict[str, Runner], rows: NDArray[np.int64], seconds: float, rounds: int
) -> dict[str, float]:
    for runner in runners.values():
        runner(rows)  # warm-up: allocations, kernel choices
    best = dict.fromkeys(runners, 0.0)
    for _ in range(rounds):
        for name, runner in runners.items():
            best[name] = max(best[name], rows_per_second(runner, rows, seconds))
    return best


def batch_of(tokens: NDArray[np.int64], size: int) -> NDArray[np.int64]:
    return np.resize(tokens, (size, tokens.shape[1]))


def print_rates(
    args: argparse.Namespace,
    runners: dict[str, Runner],
    tokens: NDArray[np.int64],
    peak: float | None,
) -> None:
    """Each engine's best rate at each ``--batch-rows``, against onnxruntime fp32 (and against
    ``peak`` FLOP/s when given)."""
    flop = flop_per_row(tokens.shape[1])
    for batch_rows in args.batch_rows:
        rates = measure(runners, batch_of(tokens, batch_rows), args.seconds, args.rounds)
        base = rates["onnxruntime fp32"]
        for name, rate in rates.items():
            of_peak = f"= {rate * flop / peak:6.1%} of fp32 peak  " if peak else ""
            print(
                f"batch {batch_rows:5d}  {name:20s} {rate:9.1f} rows/s "
                f"{rate / ROWS_PER_VARIANT:8.2f} variants/s  {rate * flop / 1e9:9.1f} GFLOP/s "
                f"{of_peak}x{rate / base:.2f} onnxruntime fp32"
            )


def cpu_bench(args: argparse.Namespace, manifest: ModelManifest, tokens: NDArray[np.int64]) -> None:
    runners: dict[str, Runner] = {}
    try:
        runners["torch eager fp32"] = torch_runner(manifest, "cpu", args.threads, half=False)
    except ImportError:
        print("torch not installed (pip install -e .[train]): torch eager left out")
    runners["onnxruntime fp32"] = onnx_runner(
        MODEL_DIR / manifest.onnx.file, "CPUExecutionProvider", args.threads
    )
    for copy in (c for c in manifest.copies if c.provider == "cpu"):
        runners[f"onnxruntime {copy.label}"] = onnx_runner(
            MODEL_DIR / copy.file, "CPUExecutionProvider", args.threads
        )
    flop = flop_per_row(tokens.shape[1])
    peak = args.threads * flop_per_cycle() * (args.clock_ghz or cpu_clock_ghz()) * 1e9
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{args.threads} threads, onnxruntime {onnxruntime.__version__}; fp32 peak "
        f"{peak / 1e9:.0f} GFLOP/s; {flop / 1e9:.3f} GFLOP a row"
    )
    print_rates(args, runners, tokens, peak)


def cuda_bench(
    args: argparse.Namespace, manifest: ModelManifest, tokens: NDArray[np.int64]
) -> None:
    cuda = "CUDAExecutionProvider"
    if cuda not in onnxruntime.get_available_providers():
        raise SystemExit("onnxruntime has no CUDAExecutionProvider: pip install onnxruntime-gpu")
    runners: dict[str, Runner] = {
        "onnxruntime fp32": onnx_runner(MODEL_DIR / manifest.onnx.file, cuda, args.threads),
    }
    for copy in (c for c in manifest.copies if c.provider == "cuda"):
        runners[f"onnxruntime {copy.label}"] = onnx_runner(
            MODEL_DIR / copy.file, cuda, args.threads
        )
    try:
        runners["torch eager fp32"] = torch_runner(manifest, "cuda", args.threads, half=False)
        runners["torch eager fp16"] = torch_runner(manifest, "cuda", args.threads, half=True)
    except ImportError:
        print("torch not installed: torch eager left out")
    flop = flop_per_row(tokens.shape[1])
    print(f"onnxruntime {onnxruntime.__version__} on CUDA; {flop / 1e9:.3f} GFLOP a row")
    print_rates(args, runners, tokens, peak=None)
    reference = ReferenceGenome(FASTA)
    snvs = parity_snvs(reference, manifest.window, args.parity_variants)
    prioritiser = (
        load_prioritiser(MODEL_DIR / manifest.prioritiser.file) if manifest.prioritiser else None
    )

    def effects(file: str, provider: str) -> VariantEffects:
        session = onnxruntime.InferenceSession(str(MODEL_DIR / file), providers=[provider])
        return session_effects(session, snvs, manifest.window)

    fp32 = effects(manifest.onnx.file, cuda)
    for copy in (c for c in manifest.copies if c.provider == "cuda"):
        parity = variant_parity(
            fp32, effects(copy.file, cuda), prioritiser, "cuda", copy.parity.logfold_tolerance
        )
        print(f"{copy.file} on CUDA vs fp32 on CUDA: {parity}")
    fp32_cpu = effects(manifest.onnx.file, "CPUExecutionProvider")
    cpu_parity = variant_parity(fp32_cpu, fp32, prioritiser, "cuda", 0.01)
    print(f"fp32 on CUDA vs fp32 on the CPU: {cpu_parity}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-rows", type=int, nargs="+", default=[320])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--clock-ghz", type=float)
    parser.add_argument("--parity-variants", type=int, default=200)
    args = parser.parse_args()
    manifest = load_manifest(MODEL_DIR)
    tokens = real_window_tokens(ReferenceGenome(FASTA), manifest.window, windows=32)
    if args.device == "cuda":
        cuda_bench(args, manifest, tokens)
    else:
        cpu_bench(args, manifest, tokens)


if __name__ == "__main__":
    main()
