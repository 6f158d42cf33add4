"""The model's copies: smoothing is exact, fusion makes one operator of each attention, and the
shipped copies keep their parity."""

import numpy as np
import onnx
import onnxruntime
import pytest

from core.manifest import load_manifest
from core.prioritiser import load_prioritiser
from core.reference import ReferenceGenome
from model_export.fusion import fused_operators
from model_export.parity import real_window_tokens
from model_export.precision import (
    parity_snvs,
    session_effects,
    smooth_activations,
    variant_parity,
)
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR

DEMO = load_manifest(DEMO_MODEL_DIR)


def _session(model: onnx.ModelProto | str) -> onnxruntime.InferenceSession:
    source = model if isinstance(model, str) else model.SerializeToString()
    return onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])


def test_smoothing_is_exact_in_fp32() -> None:
    tokens = real_window_tokens(ReferenceGenome(DEMO_FASTA), DEMO.window, windows=4)
    fp32_path = str(DEMO_MODEL_DIR / DEMO.onnx.file)
    smoothed = smooth_activations(onnx.load(fp32_path), tokens)
    (expected,) = _session(fp32_path).run(None, {"tokens": tokens})
    (actual,) = _session(smoothed).run(None, {"tokens": tokens})
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    # the 13 weight MatMuls (projection + 6 per block application) read smoothed inputs
    muls = [n for n in smoothed.graph.node if n.op_type == "Mul" and n.name.endswith(".smoothed")]
    readers = [
        n for n in smoothed.graph.node if n.op_type == "MatMul" and n.input[0].endswith(".smoothed")
    ]
    assert len(readers) == 13 and len(muls) == 9  # Q, K and V share one
    # each application reads weights of its own: the Identity aliases of the shared block's
    # weights are gone, and so is every initialiser that nothing reads
    assert not [n for n in smoothed.graph.node if n.op_type == "Identity"]
    read = {name for node in smoothed.graph.node for name in node.input}
    assert all(tensor.name in read for tensor in smoothed.graph.initializer)


@pytest.mark.parametrize("label", ["int8", "fp16", "fp32 fused", "fp16 fused"])
@pytest.mark.slow
def test_the_shipped_copies_match_their_recorded_parity(label: str) -> None:
    copy = next(c for c in DEMO.copies if c.label == label)
    reference = ReferenceGenome(DEMO_FASTA)
    snvs = parity_snvs(reference, DEMO.window, 12, seed=7)
    fp32 = session_effects(_session(str(DEMO_MODEL_DIR / DEMO.onnx.file)), snvs, DEMO.window)
    reduced = session_effects(_session(str(DEMO_MODEL_DIR / copy.file)), snvs, DEMO.window)
    assert DEMO.prioritiser is not None
    prioritiser = load_prioritiser(DEMO_MODEL_DIR / DEMO.prioritiser.file)
    parity = variant_parity(fp32, reduced, prioritiser, "cpu", copy.parity.logfold_tolerance)
    assert parity.max_abs_logfold <= copy.parity.max_abs_logfold
    assert (parity.max_abs_logfold > 0) == (copy.precision != "fp32")
    assert parity.max_abs_priority is not None
    assert parity.max_abs_priority <= copy.parity.max_abs_priority
    if label != "int8":  # within the tolerance: what the service's `auto` relies on
        assert copy.parity.max_abs_logfold <= copy.parity.logfold_tolerance


def test_the_int8_copy_quantises_the_block_products_only() -> None:
    """The token projection and the 12 weight MatMuls of the two block applications run in int8;
    the head and the embedding tables stay fp32 (``INT8_KEEP_FP32``)."""
    copy = next(c for c in DEMO.copies if c.precision == "int8")
    graph = onnx.load(str(DEMO_MODEL_DIR / copy.file)).graph
    integer_products = [n for n in graph.node if n.op_type == "MatMulInteger"]
    assert len(integer_products) == 13
    assert all(n.name.startswith("/encoder/") for n in integer_products)
    assert not [n for n in graph.node if n.op_type == "DequantizeLinear"]  # no int8 tables


@pytest.mark.parametrize(("label", "unfused"), [("fp32 fused", "fp32"), ("fp16 fused", "fp16")])
def test_a_fused_copy_runs_each_attention_as_one_operator(label: str, unfused: str) -> None:
    """Both applications of the shared block fused (attention, skip layer norms, bias + GELU), no
    softmax left outside them, and the shared weights stored once as in the unfused file."""
    files = {c.label: c.file for c in DEMO.copies} | {"fp32": DEMO.onnx.file}
    fused = onnx.load(str(DEMO_MODEL_DIR / files[label]))
    assert fused_operators(fused) == {"Attention": 2, "SkipLayerNormalization": 4, "BiasGelu": 2}
    assert not [n for n in fused.graph.node if n.op_type == "Softmax"]
    size = (DEMO_MODEL_DIR / files[label]).stat().st_size
    assert size < 1.05 * (DEMO_MODEL_DIR / files[unfused]).stat().st_size
