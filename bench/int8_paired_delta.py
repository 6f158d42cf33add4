"""Screening: does int8 get within 0.01 of fp32 in logfold when ref and alt share their rounding?

The int8 copy's logfold error (``model_export.precision``; max 0.11 over 200 SNVs for demo 0.4.0)
is rounding that the two alleles of a variant do not share: each allele's activations are
rounded on their own, and logfold is their difference. This builds a *paired* graph from the
fp32 model: the ref and the alt windows of a variant go through it side by side, and every
weight MatMul (int8 weights per output channel) computes

- ref: ``Y_r = Q(X_r) W``, the ref's input quantised per tensor, as the int8 copy does;
- alt: ``Y_a = Y_r + Q_row(X_a - X_r) W``, the difference from the ref quantised per row, so the
  alt carries the ref's rounding and only the (small) difference is rounded anew.

``delta in fp32`` computes ``(X_a - X_r) W`` in fp32 instead: what is left then is the rounding
the two alleles share, which still reaches logfold through the model's curvature (the floor
of any such scheme). Prints each graph's parity with fp32 over SNVs of the demo slice and its
rate against fp32, alternating runs.

    .venv/bin/python bench/int8_paired_delta.py [--variants 200] [--seconds 5] [--rounds 2]
"""

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from numpy.typing import NDArray
from onnx import helper, numpy_helper

from core.kmers import batch_tokens
from core.manifest import load_manifest
from core.reference import ReferenceGenome
from core.scoring import VariantEffects, variant_effects
from core.windows import AlleleWindows, WindowSpec, reverse_complement
from model_export.parity import real_window_tokens
from model_export.precision import parity_snvs, session_effects, smooth_activations

REPOSITORY = Path(__file__).resolve().parents[1]
MODEL_DIR = REPOSITORY / "models" / "demo"
FASTA = REPOSITORY / "models" / "reference" / "GRCh37_chr20_1-6000000.fa"
PAIRS_PER_CALL = 40  # 80 rows, the service's CPU batch
TINY = "paired.tiny"


def _weight_int8(weight: NDArray[np.float32]) -> tuple[NDArray[np.int8], NDArray[np.float32]]:
    scale = np.maximum(np.abs(weight).max(axis=0) / 127.0, 1e-12).astype(np.float32)  # O
    return np.clip(np.round(weight / scale), -127, 127).astype(np.int8), scale


def _matmul_nodes(
    x_r: str, x_a: str, y_r: str, y_a: str, weight: str, prefix: str, delta_fp32: bool
) -> list[onnx.NodeProto]:
    """One weight MatMul of the paired graph (module docstring)."""
    quantised = [f"{weight}.int8", f"{weight}.scale"]

    def node(op: str, inputs: list[str], output: str, **attributes: object) -> onnx.NodeProto:
        domain = "com.microsoft" if op == "DynamicQuantizeMatMul" else ""
        name = f"{prefix}/{op}/{output}"
        return helper.make_node(op, inputs, [output], name=name, domain=domain, **attributes)

    d = f"{prefix}/delta"
    nodes = [
        node("DynamicQuantizeMatMul", [x_r, *quantised], y_r),
        node("Sub", [x_a, x_r], d),
    ]
    if delta_fp32:
        return [*nodes, node("MatMul", [d, weight], f"{d}W"), node("Add", [y_r, f"{d}W"], y_a)]
    return [
        *nodes,
        node("Abs", [d], f"{d}.abs"),
        node("ReduceMax", [f"{d}.abs"], f"{d}.rowmax0", axes=[-1], keepdims=1),
        node("Max", [f"{d}.rowmax0", TINY], f"{d}.rowmax"),
        node("Div", [d, f"{d}.rowmax"], f"{d}.unit"),
        node("DynamicQuantizeMatMul", [f"{d}.unit", *quantised], f"{d}.unitW"),
        node("Mul", [f"{d}.unitW", f"{d}.rowmax"], f"{d}W"),
        node("Add", [y_r, f"{d}W"], y_a),
    ]


def paired_graph(model: onnx.ModelProto, delta_fp32: bool) -> onnx.ModelProto:
    """The paired graph of ``model`` (exported by ``model_export.onnx_export``): inputs and
    outputs ``*.ref`` and ``*.alt``, every other node once per allele."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    aliases = {
        node.output[0]: node.input[0]
        for node in graph.node
        if node.op_type == "Identity" and node.input[0] in initializers
    }

    def side(name: str, allele: str) -> str:
        name = aliases.get(name, name)
        return name if name in initializers or not name else f"{name}.{allele}"

    nodes: list[onnx.NodeProto] = []
    added = [numpy_helper.from_array(np.array(1e-30, dtype=np.float32), TINY)]
    quantised: set[str] = set()
    for node in graph.node:
        if node.output[0] in aliases:
            continue
        weight = aliases.get(node.input[1], node.input[1]) if node.op_type == "MatMul" else ""
        if weight in initializers:
            if weight not in quantised:
                q, scale = _weight_int8(numpy_helper.to_array(initializers[weight]))
                added += [
                    numpy_helper.from_array(q, f"{weight}.int8"),
                    numpy_helper.from_array(scale, f"{weight}.scale"),
                ]
                quantised.add(weight)
            x, y = node.input[0], node.output[0]
            nodes += _matmul_nodes(
                side(x, "ref"), side(x, "alt"), side(y, "ref"), side(y, "alt"), weight,
                node.name, delta_fp32,
            )  # fmt: skip
            continue
        for allele in ("ref", "alt"):
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            copy.name = f"{node.name}.{allele}"
            del copy.input[:], copy.output[:]
            copy.input.extend(side(name, allele) for name in node.input)
            copy.output.extend(side(name, allele) for name in node.output)
            nodes.append(copy)

    def values(value: onnx.ValueInfoProto) -> list[onnx.ValueInfoProto]:
        copies = []
        for allele in ("ref", "alt"):
            copy = onnx.ValueInfoProto()
            copy.CopyFrom(value)
            copy.name = side(value.name, allele)
            copies.append(copy)
        return copies

    used = {name for node in nodes for name in node.input}
    paired = helper.make_graph(
        nodes,
        "paired",
        values(graph.input[0]),
        values(graph.output[0]),
        [t for t in [*graph.initializer, *added] if t.name in used],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    result = helper.make_model(paired, opset_imports=opsets)
    result.ir_version = model.ir_version
    return result


def _allele_rows(windows: list[AlleleWindows], spec: WindowSpec, alt: bool) -> NDArray[np.int64]:
    alleles = [w.alt if alt else w.ref for w in windows]
    both = [strand for allele in alleles for strand in (allele, reverse_complement(allele))]
    tokens = batch_tokens(both, spec.length, spec.k)  # V*S F T
    return tokens.reshape(-1, tokens.shape[-1])  # V*S*F T


def paired_runner(
    session: onnxruntime.InferenceSession,
) -> Callable[[NDArray[np.int64], NDArray[np.int64]], list[NDArray[np.float32]]]:
    names = [value.name for value in session.get_inputs()]
    return lambda ref, alt: session.run(None, {names[0]: ref, names[1]: alt})


def paired_effects(
    session: onnxruntime.InferenceSession, windows: list[AlleleWindows], spec: WindowSpec
) -> VariantEffects:
    run = paired_runner(session)
    ref, alt = _allele_rows(windows, spec, False), _allele_rows(windows, spec, True)
    calls = [
        run(ref[i : i + PAIRS_PER_CALL], alt[i : i + PAIRS_PER_CALL])
        for i in range(0, len(ref), PAIRS_PER_CALL)
    ]
    shape = (len(windows), 2, spec.k, -1)  # V S F N
    p_ref = np.concatenate([c[0] for c in calls]).reshape(shape)
    p_alt = np.concatenate([c[1] for c in calls]).reshape(shape)
    return variant_effects(np.stack([p_ref, p_alt], axis=1))  # V A S F N


def variants_per_second(run: Callable[[], object], variants: int, seconds: float) -> float:
    started, done = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        run()
        done += variants
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    manifest = load_manifest(MODEL_DIR)
    spec = manifest.window
    reference = ReferenceGenome(FASTA)
    snvs = parity_snvs(reference, spec, args.variants)
    fp32_path = MODEL_DIR / manifest.onnx.file
    smoothed = smooth_activations(onnx.load(str(fp32_path)), real_window_tokens(reference, spec))

    def session(model: onnx.ModelProto | Path) -> onnxruntime.InferenceSession:
        source = str(model) if isinstance(model, Path) else model.SerializeToString()
        return onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])

    fp32, int8 = session(fp32_path), session(MODEL_DIR / "model.int8.onnx")
    paired = {
        "paired int8, delta per row": session(paired_graph(smoothed, delta_fp32=False)),
        "paired int8, delta in fp32": session(paired_graph(smoothed, delta_fp32=True)),
    }
    expected = session_effects(fp32, snvs, spec)
    results = {"int8 copy (shipped)": session_effects(int8, snvs, spec)}
    results |= {name: paired_effects(s, snvs, spec) for name, s in paired.items()}
    print(f"parity with fp32 over {len(snvs)} SNVs x {expected.logfold.shape[1]} features:")
    for name, effects in results.items():
        error = np.abs(effects.logfold - expected.logfold)
        print(
            f"  {name:28s} logfold max {error.max():.4f}  p99 {np.percentile(error, 99):.4f}  "
            f"median {np.median(error):.5f}"
        )
    ref = _allele_rows(snvs[:4], spec, False)  # 4 variants: 40 rows an allele
    alt = _allele_rows(snvs[:4], spec, True)
    rows = np.concatenate([ref, alt])  # 80 rows, as the int8 copy and fp32 get them
    runs: dict[str, Callable[[], object]] = {
        "fp32": lambda: fp32.run(None, {"tokens": rows}),
        "int8 copy (shipped)": lambda: int8.run(None, {"tokens": rows}),
    }
    for name, paired_session in paired.items():
        run_pair = paired_runner(paired_session)
        runs[name] = lambda run_pair=run_pair: run_pair(ref, alt)
    best = dict.fromkeys(runs, 0.0)
    for run in runs.values():
        run()  # warm-up
    for _ in range(args.rounds):
        for name, run in runs.items():
            best[name] = max(best[name], variants_per_second(run, 4, args.seconds))
    for name, rate in best.items():
        print(f"  {name:28s} {rate:7.2f} variants/s  x{rate / best['fp32']:.2f} fp32")


if __name__ == "__main__":
    main()
