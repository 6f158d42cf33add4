"""Reduced-precision copies of an exported model, and their parity with fp32 per variant.

Two precisions, each for the processor it is fast on (``model_export.copies.COPIES`` lists
every copy a model directory gets):
- ``int8`` for the CPU: the MatMul inputs smoothed (``smooth_activations``), then onnxruntime's
  dynamic quantisation of the weight MatMuls but ``INT8_KEEP_FP32``: int8 weights per output
  channel, activations quantised per call (per tensor), run through VNNI where the CPU has it.
  Chosen over bf16, which onnxruntime's CPU provider does not run, and over static quantisation
  and 8-bit ``MatMulNBits``, which were slower or less exact here (figures in
  ``bench/RESULTS.md``). Its scores depend slightly on the other rows of the same call, since
  the activation scale is the call's.
- ``fp16`` for CUDA: every tensor in half precision except the inputs, the outputs and
  ``FP16_KEEP_FP32`` (the classification head and its sigmoid: the log-odds of probabilities
  near 0 or 1 need fp32).

Parity is measured where it matters to a user: on variants, as the largest difference in
``logfold``, ``diff`` and ``priority`` from the fp32 model over SNVs drawn from the reference.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from numpy.typing import NDArray
from onnx import numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.transformers.float16 import convert_float_to_float16

from core.effects import variant_rows
from core.manifest import VariantParity
from core.prioritiser import Prioritiser
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from core.windows import AlleleWindows, WindowSpec, allele_windows

_BASES = "ACGT"
HEAD_GEMM = "/head/Gemm"
"""The head's node in graphs exported by ``model_export.onnx_export``."""
FP16_KEEP_FP32 = (HEAD_GEMM, "/Sigmoid")
"""The head and its sigmoid."""
INT8_KEEP_FP32 = (HEAD_GEMM, f"{HEAD_GEMM}_MatMul")
"""The weight product the int8 copy leaves in fp32: the head, which reads ``[cls, mean]``
concatenated (two parts of different scales under one activation scale) and costs 0.01% of the
model's multiply-adds; in int8 it doubled the median logfold error (``bench/RESULTS.md``).
``/head/Gemm_MatMul`` is the name onnxruntime's quantiser gives it once it has turned the
``Gemm`` into a ``MatMul``. The embedding tables (``Gather``) stay fp32 too: int8 there saves
no arithmetic and only adds error."""


def write_fp16(fp32_path: Path, out_path: Path, _samples: NDArray[np.int64] | None = None) -> Path:
    """``fp32_path`` in half precision; inputs, outputs and ``FP16_KEEP_FP32`` stay fp32."""
    model = convert_float_to_float16(
        onnx.load(str(fp32_path)), keep_io_types=True, node_block_list=list(FP16_KEEP_FP32)
    )
    onnx.save(model, str(out_path))
    return out_path


def write_int8(fp32_path: Path, out_path: Path, samples: NDArray[np.int64]) -> Path:
    """``fp32_path`` smoothed on ``samples`` (token rows), then its weight MatMuls but
    ``INT8_KEEP_FP32`` dynamically quantised to int8."""
    smoothed = out_path.with_suffix(".smoothed.onnx")
    onnx.save(smooth_activations(onnx.load(str(fp32_path)), samples), str(smoothed))
    try:
        quantize_dynamic(
            smoothed,
            out_path,
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=list(INT8_KEEP_FP32),
        )
    finally:
        smoothed.unlink()
    return out_path


def parity_snvs(
    reference: ReferenceGenome, spec: WindowSpec, count: int, seed: int = 0
) -> list[AlleleWindows]:
    """``count`` SNVs at random positions of the first contig whose windows hold no N."""
    rng = np.random.default_rng(seed)
    span = next(iter(reference.spans.values()))
    chosen: list[AlleleWindows] = []
    while len(chosen) < count:
        pos = int(rng.integers(span.start + spec.read_length, span.end - spec.read_length))
        base = reference.fetch(span.name, pos - 1, pos)
        if base not in _BASES:
            continue
        alt = rng.choice([b for b in _BASES if b != base])
        windows = allele_windows(reference, span.name, pos, base, str(alt), spec)
        if "N" not in windows.ref[: spec.fetched_length]:  # an N-padded tail is not the genome
            chosen.append(windows)
    return chosen


def session_effects(
    session: onnxruntime.InferenceSession,
    windows: Sequence[AlleleWindows],
    spec: WindowSpec,
    batch_rows: int = 320,
) -> VariantEffects:
    """The effects of ``windows`` with ``session``'s model, through the service's rows and
    score math (``core.effects``)."""
    rows = variant_rows(windows, spec)
    input_name = session.get_inputs()[0].name
    probabilities = np.concatenate(
        [
            np.asarray(session.run(None, {input_name: rows.tokens[i : i + batch_rows]})[0])
            for i in range(0, len(rows.tokens), batch_rows)
        ]
    )
    return rows.effects(probabilities)


def variant_parity(
    fp32: VariantEffects,
    copy: VariantEffects,
    prioritiser: Prioritiser | None,
    provider: str,
    logfold_tolerance: float,
) -> VariantParity:
    """Differences of ``copy`` from ``fp32`` over every variant and feature (measured on
    ``provider``; judged by ``logfold_tolerance``)."""
    priority = None
    if prioritiser is not None:
        priority = float(
            np.abs(
                prioritiser.priority(copy.logfold, copy.diff)
                - prioritiser.priority(fp32.logfold, fp32.diff)
            ).max()
        )
    logfold = np.abs(copy.logfold - fp32.logfold)  # V N
    return VariantParity(
        variants=len(fp32.diff),
        max_abs_logfold=float(logfold.max()),
        p99_abs_logfold=float(np.percentile(logfold, 99)),
        median_abs_logfold=float(np.median(logfold)),
        max_abs_diff=float(np.abs(copy.diff - fp32.diff).max()),
        max_abs_priority=priority,
        provider=provider,
        logfold_tolerance=logfold_tolerance,
    )


def _weight_matmuls(model: onnx.ModelProto) -> list[onnx.NodeProto]:
    """MatMul nodes whose second input is a constant weight, each given a weight of its own.

    torch exports a weight shared by the two applications of LOGO's block once, reached through
    an ``Identity`` for the second; the quantiser only sees weights that are initialisers, and
    each application needs its own smoothing, so every such MatMul gets its own copy.
    """
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    aliases = {
        node.output[0]: node.input[0]
        for node in model.graph.node
        if node.op_type == "Identity" and node.input[0] in initializers
    }
    used: set[str] = set()
    matmuls = []
    for node in model.graph.node:
        if node.op_type != "MatMul":
            continue
        weight = aliases.get(node.input[1], node.input[1])
        if weight not in initializers:
            continue
        if weight in used:
            copy = onnx.TensorProto()
            copy.CopyFrom(initializers[weight])
            copy.name = f"{weight}.{len(used)}"
            model.graph.initializer.append(copy)
            initializers[copy.name] = copy
            weight = copy.name
        used.add(weight)
        node.input[1] = weight
        matmuls.append(node)
    return matmuls


def own_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` with every weight MatMul reading a weight of its own (``_weight_matmuls``) and
    the ``Identity`` aliases gone: the same function, in a graph that optimizers can match."""
    _weight_matmuls(model)
    _drop_unused(model)
    return model


def smooth_activations(
    model: onnx.ModelProto, samples: NDArray[np.int64], alpha: float = 0.5
) -> onnx.ModelProto:
    """SmoothQuant (Xiao et al., ICML 2023) on ``model``: an exact rewrite in fp32 that moves
    the outlier channels of each weight MatMul's input into its weight, so that int8 activations
    quantised per tensor keep their resolution.

    For an input ``X`` (channels ``j``) feeding MatMuls with weights ``W``:
    ``s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)``, ``X' = X / s`` (one ``Mul``), ``W' = s W``.
    The channel maxima come from running ``model`` on ``samples`` (token rows).
    """
    matmuls = _weight_matmuls(model)
    by_input: dict[str, list[onnx.NodeProto]] = {}
    for node in matmuls:
        by_input.setdefault(node.input[0], []).append(node)
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for name in by_input:
        probe.graph.output.append(onnx.ValueInfoProto(name=name))
    session = onnxruntime.InferenceSession(
        probe.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    values = session.run(list(by_input), {session.get_inputs()[0].name: samples})
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    for (name, nodes), value in zip(by_input.items(), values, strict=True):
        x_max = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)  # C
        weights = [numpy_helper.to_array(initializers[node.input[1]]) for node in nodes]  # C O
        w_max = np.abs(np.concatenate(weights, axis=1)).max(axis=1)  # C
        scale = np.maximum(x_max, 1e-5) ** alpha / np.maximum(w_max, 1e-5) ** (1 - alpha)
        scale = scale.astype(np.float32)
        inverse = f"{name}.smooth_inverse"
        smoothed = f"{name}.smoothed"
        model.graph.initializer.append(numpy_helper.from_array(1.0 / scale, inverse))
        for node, weight in zip(nodes, weights, strict=True):
            initializers[node.input[1]].CopyFrom(
                numpy_helper.from_array(weight * scale[:, None], node.input[1])
            )
            node.input[0] = smoothed
        position = next(i for i, node in enumerate(model.graph.node) if node.name == nodes[0].name)
        model.graph.node.insert(
            position, onnx.helper.make_node("Mul", [name, inverse], [smoothed], name=smoothed)
        )
    _drop_unused(model)
    return model


def _drop_unused(model: onnx.ModelProto) -> None:
    """Remove the nodes and initialisers nothing reads any more (the ``Identity`` aliases that
    ``_weight_matmuls`` replaced by weights of their own, and the weights behind them)."""
    graph = model.graph
    outputs = {output.name for output in graph.output}
    while True:
        read = {name for node in graph.node for name in node.input} | outputs
        unused = [node for node in graph.node if not any(out in read for out in node.output)]
        if not unused:
            break
        for node in unused:
            graph.node.remove(node)
    read = {name for node in graph.node for name in node.input}
    for tensor in [t for t in graph.initializer if t.name not in read]:
        graph.initializer.remove(tensor)
