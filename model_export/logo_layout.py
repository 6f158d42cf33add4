"""The layout of LOGO's published weight files, checked before anything is loaded.

LOGO's models are bert4keras ALBERT (one block, its layers named ``Transformer-...``) or BERT
(one block per layer, ``Transformer-0-...``, ``Transformer-1-...``), with either a chromatin head
(``CLS-Activation``: a sigmoid dense layer on the first token) or the masked-LM head of the
pretrained files (``MLM-Dense``, ``MLM-Norm``, ``MLM-Bias``). Every layer with weights must be one
of those, with the shapes the embedding, hidden, feed-forward, position and vocabulary sizes imply;
a layer without weights must be one such a model has (inputs, adds, dropouts, the head's
``Lambda``). Anything else — LOGO's Conv1D variant (``Embedding-Token-Conv1D-*``), a causal
attention mask (``Attention-LM-Mask``) on a chromatin model, a missing or extra layer — is refused
with the layers found and those expected, before a single weight is used.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from model_export.keras_weights import KerasLayer

Shapes = tuple[tuple[int, ...], ...]

CHROMATIN = "chromatin"
MASKED_LM = "masked-lm"
CHROMATIN_HEAD = "CLS-Activation"
MLM_HEAD = ("MLM-Dense", "MLM-Norm", "MLM-Bias")
CAUSAL_MASKS = ("Attention-LM-Mask", "Attention-UniLM-Mask")
SHARED_BLOCK = "Transformer"
LOGO_SIZES = {"vocab": 3138, "embedding": 128, "hidden": 256, "ffn": 1024, "positions": 512}
"""LOGO-919's sizes: what a file missing the layers that give a size is expected to have."""
_UNSHARED_BLOCK = re.compile(r"^(Transformer-\d+)-MultiHeadSelfAttention$")


class LogoLayoutError(ValueError):
    """The file is not a LOGO model this importer reads; nothing was loaded."""


@dataclass(frozen=True)
class LogoLayout:
    """A checked file: its form (``shared`` blocks or not, the ``head``), sizes and layers."""

    layers: dict[str, KerasLayer]
    blocks: tuple[str, ...]
    head: str
    vocab: int
    embedding: int
    hidden: int
    ffn: int
    positions: int
    outputs: int
    causal_mask: bool

    @property
    def shared(self) -> bool:
        return self.blocks == (SHARED_BLOCK,)

    @property
    def form(self) -> str:
        if self.shared:
            return "ALBERT (one block, shared by every layer)"
        return f"BERT ({len(self.blocks)} blocks of their own)"


def _norm(width: int) -> Shapes:
    return ((width,), (width,))  # beta, gamma


def _dense(inputs: int, outputs: int) -> Shapes:
    return ((inputs, outputs), (outputs,))  # kernel, bias


def expected_layers(
    blocks: tuple[str, ...], head: str, sizes: dict[str, int], outputs: int
) -> dict[str, Shapes]:
    """Every layer with weights, and their shapes in ``weight_names`` order."""
    vocab, embedding, hidden = sizes["vocab"], sizes["embedding"], sizes["hidden"]
    layers = {
        "Embedding-Token": ((vocab, embedding),),
        "Embedding-Segment": ((2, embedding),),
        "Embedding-Position": ((sizes["positions"], embedding),),
        "Embedding-Norm": _norm(embedding),
        "Embedding-Mapping": _dense(embedding, hidden),
    }
    for block in blocks:
        layers[f"{block}-MultiHeadSelfAttention"] = _dense(hidden, hidden) * 4  # q, k, v, o
        layers[f"{block}-MultiHeadSelfAttention-Norm"] = _norm(hidden)
        layers[f"{block}-FeedForward"] = _dense(hidden, sizes["ffn"]) + _dense(sizes["ffn"], hidden)
        layers[f"{block}-FeedForward-Norm"] = _norm(hidden)
    if head == CHROMATIN:
        layers[CHROMATIN_HEAD] = _dense(hidden, outputs)
    else:
        layers["MLM-Dense"] = _dense(hidden, embedding)
        layers["MLM-Norm"] = _norm(embedding)
        layers["MLM-Bias"] = ((vocab,),)
    return layers


def allowed_weightless(blocks: tuple[str, ...], head: str) -> set[str]:
    names = {"Input-Token", "Input-Segment", "Masked-Token", "Embedding-Token-Segment"}
    names |= {"Embedding-Dropout", "CLS-token" if head == CHROMATIN else "MLM-Activation"}
    for block in blocks:
        for part in ("MultiHeadSelfAttention", "FeedForward"):
            names |= {f"{block}-{part}-Dropout", f"{block}-{part}-Add"}
    if head == MASKED_LM:
        names |= set(CAUSAL_MASKS)  # pretraining's mask; fine-tuning reads without it, as LOGO's
    return names


def _size(layers: dict[str, KerasLayer], name: str, weight: int, axis: int, default: int) -> int:
    layer = layers.get(name)
    if layer is None or len(layer.weights) <= weight or layer.weights[weight].ndim <= axis:
        return default
    return int(layer.weights[weight].shape[axis])


def _blocks(weighted: dict[str, KerasLayer]) -> tuple[str, ...]:
    unshared = sorted(
        (match.group(1) for name in weighted if (match := _UNSHARED_BLOCK.match(name))),
        key=lambda block: int(block.rsplit("-", 1)[1]),
    )
    if f"{SHARED_BLOCK}-MultiHeadSelfAttention" in weighted or not unshared:
        return (SHARED_BLOCK,)
    return tuple(f"{SHARED_BLOCK}-{index}" for index in range(len(unshared)))


def _describe(shapes: Shapes) -> str:
    return ", ".join("x".join(str(size) for size in shape) for shape in shapes) or "no weights"


def check_layout(path: Path, layers: list[KerasLayer]) -> LogoLayout:
    """``layers`` as a LOGO model, or ``LogoLayoutError`` listing what differs."""
    by_name = {layer.name: layer for layer in layers}
    weighted = {name: layer for name, layer in by_name.items() if layer.weights}
    blocks = _blocks(weighted)
    head = MASKED_LM if "MLM-Dense" in weighted and CHROMATIN_HEAD not in weighted else CHROMATIN
    sizes = {
        "vocab": _size(weighted, "Embedding-Token", 0, 0, LOGO_SIZES["vocab"]),
        "embedding": _size(weighted, "Embedding-Token", 0, 1, LOGO_SIZES["embedding"]),
        "hidden": _size(weighted, "Embedding-Mapping", 0, 1, LOGO_SIZES["hidden"]),
        "ffn": _size(weighted, f"{blocks[0]}-FeedForward", 0, 1, LOGO_SIZES["ffn"]),
        "positions": _size(weighted, "Embedding-Position", 0, 0, LOGO_SIZES["positions"]),
    }
    outputs = _size(weighted, CHROMATIN_HEAD, 0, 1, 0)
    expected = expected_layers(blocks, head, sizes, outputs)
    allowed = allowed_weightless(blocks, head)
    problems = [f"missing layer {name}" for name in expected if name not in weighted]
    problems += [
        f"layer {name} has weights {_describe(weighted[name].shapes)}, expected {_describe(shapes)}"
        for name, shapes in expected.items()
        if name in weighted and weighted[name].shapes != shapes
    ]
    problems += [f"unexpected layer {name}" for name in weighted if name not in expected]
    problems += [
        f"unexpected layer {name} (no weights)"
        for name, layer in by_name.items()
        if not layer.weights and name not in allowed
    ]
    if head == CHROMATIN and CHROMATIN_HEAD not in weighted:
        problems.append(f"no head: neither {CHROMATIN_HEAD} (chromatin) nor MLM-Dense (pretrained)")
    if problems:
        raise LogoLayoutError(_refusal(path, problems, blocks, head, expected, by_name))
    return LogoLayout(
        layers=weighted,
        blocks=blocks,
        head=head,
        vocab=sizes["vocab"],
        embedding=sizes["embedding"],
        hidden=sizes["hidden"],
        ffn=sizes["ffn"],
        positions=sizes["positions"],
        outputs=outputs,
        causal_mask=any(name in by_name for name in CAUSAL_MASKS),
    )


def _refusal(
    path: Path,
    problems: list[str],
    blocks: tuple[str, ...],
    head: str,
    expected: dict[str, Shapes],
    found: dict[str, KerasLayer],
) -> str:
    hints = []
    if any("Conv1D" in name for name in found):
        hints.append(
            "Conv1D layers: LOGO's Conv1D variant (e.g. its '_990_' 919-feature file) is another "
            "architecture, which this model does not have; use LOGO-919's ALBERT file "
            "(deepsea_5_gram_2_layer_8_heads_256_dim_weights_*.hdf5)"
        )
    if head == CHROMATIN and any(name in found for name in CAUSAL_MASKS):
        hints.append(
            "a causal attention mask: this chromatin model was built to read left to right, and "
            "its predictions cannot be reproduced by a bidirectional encoder"
        )
    lines = [
        f"{path} is not a LOGO model in the layout this importer reads; nothing was imported.",
        *(f"- {problem}" for problem in problems),
        *(f"- found {hint}" for hint in hints),
        f"Expected, as LOGO's bert4keras code builds a {head} model with "
        f"{'one shared block' if blocks == (SHARED_BLOCK,) else f'{len(blocks)} blocks'} "
        "(weights in order):",
        *(f"  {name}: {_describe(shapes)}" for name, shapes in expected.items()),
        "Found:",
        *(f"  {name}: {_describe(layer.shapes)}" for name, layer in found.items()),
    ]
    return "\n".join(lines)
