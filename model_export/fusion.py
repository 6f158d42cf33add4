"""Fused copies of an exported model: each attention one operator, layer norms, biases and GELU
folded into their neighbours, by onnxruntime's transformer optimizer. (A ``cls`` head's model
computes one token in its last block application, ``training.model``: that attention, one row of
1 x T scores per head, is left as it is.)

onnxruntime already fuses layer norm, bias and GELU when it loads a graph, but not LOGO's
attention: the 201 x 201 scores of every head are written out and read back by separate MatMul,
Div and Softmax kernels. An ``Attention`` operator runs them as one kernel (on a GPU in half
precision, a flash or memory-efficient attention that never stores the scores).

The optimizer matches BERT's graph, and two things in ours hide the pattern, so they are
rewritten first (both exact):
- the block is applied twice with shared weights, which torch exports once and reaches the
  second time through ``Identity`` nodes: every weight MatMul gets its own copy
  (``model_export.precision.own_weights``);
- the residual sum ``x + attention(x)`` names the residual first, and the optimizer follows the
  first ``Add`` input it finds: when the residual is itself an ``Add`` (the embedding
  projection's bias) it walks up the wrong branch. The sum is written ``attention(x) + x``.
"""

import hashlib
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import numpy_helper
from onnxruntime.transformers.onnx_model import OnnxModel
from onnxruntime.transformers.optimizer import optimize_model

from model_export.precision import FP16_KEEP_FP32, own_weights

FUSED_OPERATORS = ("Attention", "SkipLayerNormalization", "BiasGelu")
"""The operators a fused graph must hold (``fused_operators`` counts them)."""


def _branch_output(name: str, producers: dict[str, onnx.NodeProto]) -> bool:
    """Whether ``name`` is an attention's output projection: ``Add(MatMul(Reshape(...)))``."""
    add = producers.get(name)
    if add is None or add.op_type != "Add":
        return False
    for operand in add.input:
        matmul = producers.get(operand)
        if matmul is None or matmul.op_type != "MatMul":
            continue
        source = producers.get(matmul.input[0])
        if source is not None and source.op_type == "Reshape":
            return True
    return False


def branch_first(model: onnx.ModelProto) -> onnx.ModelProto:
    """Every residual ``Add`` before a layer norm with the attention branch as its first input."""
    producers = {output: node for node in model.graph.node for output in node.output}
    readers: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    for node in model.graph.node:
        if node.op_type != "Add" or len(node.input) != 2:
            continue
        if not any(r.op_type == "LayerNormalization" for r in readers.get(node.output[0], [])):
            continue
        first, second = node.input
        if _branch_output(second, producers) and not _branch_output(first, producers):
            node.input[0], node.input[1] = second, first
    return model


def fused_operators(model: onnx.ModelProto) -> dict[str, int]:
    """How many of each ``FUSED_OPERATORS`` the graph holds."""
    counts = dict.fromkeys(FUSED_OPERATORS, 0)
    for node in model.graph.node:
        if node.op_type in counts:
            counts[node.op_type] += 1
    return counts


def share_identical_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """One initializer for each set of equal ones: the weights ``own_weights`` copied for the
    optimizer are shared again (the file keeps ALBERT's size)."""
    kept: dict[tuple[int, tuple[int, ...], str], str] = {}
    renamed: dict[str, str] = {}
    for tensor in list(model.graph.initializer):
        digest = hashlib.sha256(numpy_helper.to_array(tensor).tobytes()).hexdigest()
        key = (tensor.data_type, tuple(tensor.dims), digest)
        if key in kept:
            renamed[tensor.name] = kept[key]
            model.graph.initializer.remove(tensor)
        else:
            kept[key] = tensor.name
    for node in model.graph.node:
        for index, name in enumerate(node.input):
            node.input[index] = renamed.get(name, name)
    return model


class FusionError(ValueError):
    """The optimizer found no attention to fuse in a graph."""


def fuse(fp32_path: Path) -> OnnxModel:
    """``fp32_path``'s graph, fused (heads and width read from its reshapes)."""
    prepared = branch_first(own_weights(onnx.load(str(fp32_path))))
    fused = optimize_model(prepared, model_type="bert", num_heads=0, hidden_size=0, opt_level=0)
    counts = fused_operators(fused.model)
    if counts["Attention"] == 0:
        raise FusionError(
            f"onnxruntime's optimizer fused no attention in {fp32_path} ({counts}); the graph is "
            "not the BERT/ALBERT layout model_export.onnx_export writes"
        )
    return fused


def write_fused(fp32_path: Path, out_path: Path, _samples: NDArray[np.int64] | None = None) -> Path:
    """``fp32_path`` fused, in fp32: for the CPU."""
    fused = fuse(fp32_path)
    share_identical_weights(fused.model)
    fused.save_model_to_file(str(out_path))
    return out_path


def write_fused_fp16(
    fp32_path: Path, out_path: Path, _samples: NDArray[np.int64] | None = None
) -> Path:
    """``fp32_path`` fused, then in half precision but the inputs, outputs and
    ``FP16_KEEP_FP32`` (the head): for CUDA."""
    fused = fuse(fp32_path)
    fused.convert_float_to_float16(keep_io_types=True, node_block_list=list(FP16_KEEP_FP32))
    share_identical_weights(fused.model)
    fused.save_model_to_file(str(out_path))
    return out_path
