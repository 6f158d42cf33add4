"""Every GPU measurement of the model in one run (``bench/gpu.sh`` calls it on the device).

Model only: onnxruntime rows/s of each graph on CUDA — the exported fp32 graph (the baseline
every ratio is against), fp16, fused fp16 (one ``Attention`` operator per block application),
fused fp16 through I/O binding with the output kept on the device and CUDA graphs replayed
(fixed shapes), fused fp16 on two sessions at once (half of each call on each, a thread each:
as ``LOGOSCORE_MODEL_SESSIONS=2`` runs them), TensorRT fp16 when onnxruntime has it, and
LOGO-919's layout (a ``cls`` head, 919 features, seeded random weights: ``bench/cls_layout.py``,
exported here where torch is installed) fused in fp16, its last block application whole and for
the ``cls`` token alone, as the service exports such models — at several rows a call, each
timed in alternating rounds (best round counts); and each graph's parity with its CPU fp32
model over 200 SNVs (logfold max, the acceptance's 0.01). Prints one table for
``bench/RESULTS.md``; ``--json`` writes the figures.

    python bench/gpu_throughput.py [--rows 1024,4096,8192] [--seconds 2] [--json OUT.json]
"""

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from numpy.typing import NDArray

from core.manifest import EXECUTION_PROVIDERS, load_manifest
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from core.windows import WindowSpec
from model_export.fusion import write_fused_fp16
from model_export.parity import real_window_tokens
from model_export.precision import parity_snvs, session_effects, variant_parity
from service.scoring.providers import CUDA_OPTIONS, TENSORRT, tensorrt_options
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR

ROWS_PER_VARIANT = 20
Runner = Callable[[NDArray[np.int64]], object]
CUDA = EXECUTION_PROVIDERS["cuda"]
ATTENTION_KERNELS = {
    "flash attention": "1",
    "memory-efficient attention": "2",
    "cuDNN attention": "8",
}
"""The CUDA provider's ``sdpa_kernel`` choices measured for the fused graph."""


def _session(
    path: Path, providers: list[tuple[str, dict[str, object]]]
) -> onnxruntime.InferenceSession:
    """A session of ``path``; CUDA with the service's options (its arena grows by what a call
    asks: with onnxruntime's doubling, sessions at 8192 rows and more ran out of memory)."""
    options = [
        (name, {**CUDA_OPTIONS, **extra} if name == CUDA else extra) for name, extra in providers
    ]
    return onnxruntime.InferenceSession(str(path), providers=options)


def _tensorrt_session(path: Path, options: dict[str, object]) -> onnxruntime.InferenceSession:
    """A TensorRT session, or an error where onnxruntime fell back to CUDA (its TensorRT
    provider is listed even where TensorRT's libraries, libnvinfer, are missing)."""
    session = _session(path, [(TENSORRT, options), (CUDA, {})])
    if session.get_providers()[0] != TENSORRT:
        raise RuntimeError("TensorRT's libraries (libnvinfer) not found: onnxruntime fell back")
    return session


def _plain(session: onnxruntime.InferenceSession) -> Runner:
    name = session.get_inputs()[0].name
    return lambda rows: session.run(None, {name: rows})


def _plain_session(path: Path, device: str, _rows: int) -> onnxruntime.InferenceSession:
    return _session(path, [(device, {})])


def _kernel_session(path: Path, choice: str, _rows: int) -> onnxruntime.InferenceSession:
    """A CUDA session of ``path`` held to attention kernel ``choice`` (``sdpa_kernel``)."""
    return _session(path, [(CUDA, {"sdpa_kernel": choice})])


def _plain_made(make: Callable[[int], onnxruntime.InferenceSession], rows: int) -> Runner:
    return _plain(make(rows))


def _concurrent(sessions: list[onnxruntime.InferenceSession]) -> Runner:
    """Each call's rows split over ``sessions``, run at the same time on a thread each (each
    session has its own CUDA stream: one's copies overlap another's kernels)."""
    runners = [_plain(session) for session in sessions]
    pool = ThreadPoolExecutor(len(runners))

    def run(batch: NDArray[np.int64]) -> object:
        parts = np.array_split(batch, len(runners))
        return [each.result() for each in map(pool.submit, runners, parts)]

    return run


def _two_sessions(path: Path, device: str, _rows: int) -> Runner:
    return _concurrent([_session(path, [(device, {})]) for _ in range(2)])


def _fixed_rows(path: Path, rows: int) -> Path:
    """``path`` with its rows dimension fixed to ``rows``: shape computations fold away, so no
    node is left on the CPU (a CUDA graph needs every node on the GPU)."""
    model = onnx.load(str(path))
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_value = rows
    fixed = Path(tempfile.gettempdir()) / f"{path.stem}.rows{rows}.onnx"
    onnx.save(model, str(fixed))
    return fixed


def _cuda_graph(path: Path, rows: int, tokens: int) -> Runner:
    """The graph with ``rows`` fixed, I/O binding on device buffers, the CUDA graph captured on
    the first run and replayed: the host copies the tokens in and the probabilities out."""
    session = _session(_fixed_rows(path, rows), [(CUDA, {"enable_cuda_graph": "1"})])
    name, output = session.get_inputs()[0].name, session.get_outputs()[0].name
    features = session.get_outputs()[0].shape[1]
    device_in = onnxruntime.OrtValue.ortvalue_from_shape_and_type((rows, tokens), np.int64, "cuda")
    device_out = onnxruntime.OrtValue.ortvalue_from_shape_and_type(
        (rows, features), np.float32, "cuda"
    )
    binding = session.io_binding()
    binding.bind_ortvalue_input(name, device_in)
    binding.bind_ortvalue_output(output, device_out)

    def run(batch: NDArray[np.int64]) -> object:
        device_in.update_inplace(batch)
        session.run_with_iobinding(binding)
        return device_out.numpy()

    return run


def _cls_layout(directory: Path, spec: WindowSpec, vocab_size: int) -> dict[str, Path]:
    """LOGO-919's layout exported (fp32 ``whole``, the CPU reference) and each way fused in fp16;
    nothing where torch is missing."""
    try:
        from cls_layout import export_cls_layout
    except ImportError as error:
        print(f"LOGO-919's layout: not measured (torch is needed to export it: {error})")
        return {}
    exported = export_cls_layout(directory, spec, vocab_size)
    fused = {
        f"919 cls, {name}, fp16 fused": write_fused_fp16(path, path.with_suffix(".fp16.fused.onnx"))
        for name, path in exported.items()
    }
    return {"whole": exported["whole"]} | fused


def _rate(run: Runner, batch: NDArray[np.int64], seconds: float) -> float:
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or calls < 3:
        run(batch)
        calls += 1
    return calls * len(batch) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1024,4096,8192")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--graphs", default="", help="only the graphs whose name holds one of these (comma list)"
    )
    parser.add_argument(
        "--attention-kernels",
        action="store_true",
        help="also the fused fp16 graph held to each attention kernel (measured 2026-12-04)",
    )
    parser.add_argument("--dry-run", action="store_true", help="on the CPU: check the script")
    args = parser.parse_args()
    # --dry-run: every graph on the CPU, no CUDA graph: the script's own check at no device
    # time (its figures mean nothing)
    device = EXECUTION_PROVIDERS["cpu"] if args.dry_run else CUDA
    manifest = load_manifest(DEMO_MODEL_DIR)
    files = {copy.label: DEMO_MODEL_DIR / copy.file for copy in manifest.copies}
    fp32 = DEMO_MODEL_DIR / manifest.onnx.file
    reference = ReferenceGenome(DEMO_FASTA)
    spec = manifest.window
    samples = real_window_tokens(reference, spec)
    snvs = parity_snvs(reference, spec, 200)

    def cpu_effects(path: Path) -> VariantEffects:
        return session_effects(_session(path, [(EXECUTION_PROVIDERS["cpu"], {})]), snvs, spec)

    cpu_fp32 = cpu_effects(fp32)
    sessions: dict[str, Callable[[int], onnxruntime.InferenceSession]] = {
        "fp32 (baseline)": lambda _: _session(fp32, [(device, {})]),
        "fp16": lambda _: _session(files["fp16"], [(device, {})]),
        "fp16 fused": lambda _: _session(files["fp16 fused"], [(device, {})]),
    }
    if device == CUDA and args.attention_kernels:
        for kernel, choice in ATTENTION_KERNELS.items():
            sessions[f"fp16 fused, {kernel}"] = partial(
                _kernel_session, files["fp16 fused"], choice
            )
    layout = _cls_layout(Path(tempfile.mkdtemp()), spec, manifest.vocab_size)
    for name, path in layout.items():
        if name != "whole":
            sessions[name] = partial(_plain_session, path, device)
    layout_fp32 = cpu_effects(layout["whole"]) if layout else None
    if TENSORRT in onnxruntime.get_available_providers():
        cache = Path("/tmp/logoscore-tensorrt")
        sessions["TensorRT fp16"] = lambda rows: _tensorrt_session(
            fp32, tensorrt_options(cache, "tokens", spec.tokens_per_frame, rows)
        )
    else:
        print("TensorRT: onnxruntime has no TensorrtExecutionProvider here; not measured")
    graphs: dict[str, Callable[[int], Runner]] = {
        name: partial(_plain_made, make) for name, make in sessions.items()
    }
    fastest = {"fp16 fused": files["fp16 fused"]}  # each also with CUDA graphs, two sessions
    fastest |= {name: path for name, path in layout.items() if "first token" in name}
    for name, path in fastest.items():
        if device == CUDA:
            graphs[f"{name}, fixed rows, CUDA graph"] = partial(
                _cuda_graph, path, tokens=spec.tokens_per_frame
            )
        graphs[f"{name}, 2 sessions at once"] = partial(_two_sessions, path, device)
    wanted = [part for part in args.graphs.split(",") if part]
    if wanted:  # the baseline always: every ratio is against it
        graphs = {
            name: make
            for name, make in graphs.items()
            if name == "fp32 (baseline)" or any(part in name for part in wanted)
        }
        sessions = {name: make for name, make in sessions.items() if name in graphs}
    figures: list[tuple[int, str, float]] = []
    for rows in [int(r) for r in args.rows.split(",")]:
        batch = np.resize(samples, (rows, samples.shape[1]))
        runners: dict[str, Runner] = {}
        for name, make in graphs.items():
            try:
                runners[name] = make(rows)
                runners[name](batch)  # warm-up (a TensorRT engine is built here)
            except Exception as error:
                print(f"{name} at {rows} rows: not measured ({type(error).__name__}: {error})")
                runners.pop(name, None)
        best = dict.fromkeys(runners, 0.0)
        for _ in range(args.rounds):
            for name, run in runners.items():
                best[name] = max(best[name], _rate(run, batch, args.seconds))
        for name, rate in best.items():
            figures.append((rows, name, rate))
    parity: dict[str, float] = {}
    for name, make in sessions.items():
        try:
            effects = session_effects(make(320), snvs, spec)
        except Exception as error:
            print(f"{name}: parity not measured ({type(error).__name__}: {error})")
            continue
        against = layout_fp32 if name in layout and layout_fp32 else cpu_fp32
        parity[name] = variant_parity(against, effects, None, "cuda", 0.01).max_abs_logfold
    baseline = {rows: rate for rows, name, rate in figures if name == "fp32 (baseline)"}
    print("| rows a call | graph | rows/s | variants/s | vs fp32 CUDA | logfold max vs CPU fp32 |")
    print("|---|---|---|---|---|---|")
    for rows, name, rate in figures:
        ratio = rate / baseline[rows] if rows in baseline else float("nan")
        graph = max((each for each in parity if name.startswith(each)), key=len, default="")
        logfold = parity.get(graph, float("nan"))  # a variant's: its graph's
        print(
            f"| {rows} | {name} | {rate:,.0f} | {rate / ROWS_PER_VARIANT:,.0f} | {ratio:.2f} | "
            f"{logfold:.4f} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "figures": [
                        {"rows": rows, "graph": name, "rows_per_s": rate}
                        for rows, name, rate in figures
                    ],
                    "parity": parity,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
