"""LOGO as its own code computes it, written for tests from melobio/LOGO independently of
``core`` and ``training``: its tokens and its forward pass.

Tokens, from how LOGO's chromatin scripts read a window (``encodeSeqs``, ``onehot_to_ngram``,
``npz2record``): one-hot A, G, C, T (N all zeros), the reverse strand as the one-hot flipped on
both axes, bases as the digits 1-4 (N 0), a 5-mer as the number its digits spell (a k-mer
reaching past the window's end padded with N: 0), frame ``f`` the 5-mers at ``f, f + 5, ...,
f + 995``. The dictionary is written as what LOGO's layer-by-layer build amounts to: every
number of at most five digits 0-4, in increasing order, from id 10.

The forward pass, from LOGO's vendored bert4keras (``models.py``, ``layers.py``) over the arrays
of a Keras weights file (layer name -> weights in ``weight_names`` order): token + segment 0 +
position embeddings, ``LayerNormalization`` (mean, variance, epsilon 1e-12, ``* gamma + beta``),
the 128 -> 256 mapping, then per layer ``MultiHeadAttention`` (q, k, v, o Dense; scores scaled
by the key size's square root; softmax over keys), add and norm, ``FeedForward`` (Dense, GELU
with erf, Dense), add and norm; the chromatin head a sigmoid Dense on token 0. In float64.
"""

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy.special import erf

from core.windows import WindowSpec

LOGO = WindowSpec(1000, 5, "n-padded", "logo-ngram-v1")
NUMBERS = sorted({int("".join(d)) for d in itertools.product("01234", repeat=5)})
WORD_ID = {number: 10 + rank for rank, number in enumerate(NUMBERS)}
ONE_HOT = {"A": 0, "G": 1, "C": 2, "T": 3}
Weights = dict[str, list[NDArray[np.float64]]]


def logo_tokens(window: str) -> np.ndarray:
    """Tokens ``(2 strands, 5 frames, 200)`` of a 1000 bp window, as LOGO forms them."""
    one_hot = np.zeros((4, 1000))
    for position, base in enumerate(window):
        if base in ONE_HOT:
            one_hot[ONE_HOT[base], position] = 1
    strands = []
    for encoded in (one_hot, one_hot[::-1, ::-1]):  # forward; reverse complement
        digits = np.array([1, 2, 3, 4]) @ encoded  # A1 G2 C3 T4, N0
        padded = np.concatenate([digits, np.zeros(4)])
        kmers = [int("".join(str(int(d)) for d in padded[i : i + 5])) for i in range(1000)]
        ids = np.array([WORD_ID[number] for number in kmers])
        strands.append([ids[frame:1000:5] for frame in range(5)])
    return np.array(strands)


def _layer_norm(x: NDArray[np.float64], weights: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    beta, gamma = weights
    centred = x - x.mean(axis=-1, keepdims=True)
    std = np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-12)
    normalised: NDArray[np.float64] = centred / std * gamma + beta
    return normalised


def _softmax(x: NDArray[np.float64]) -> NDArray[np.float64]:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    softmax: NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
    return softmax


def _attention(
    x: NDArray[np.float64], weights: list[NDArray[np.float64]], heads: int
) -> NDArray[np.float64]:
    batch, length, width = x.shape
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    size = width // heads
    qw, kw, vw = (
        (x @ w + b).reshape(batch, length, heads, size) for w, b in ((wq, bq), (wk, bk), (wv, bv))
    )
    a = _softmax(np.einsum("bjhd,bkhd->bhjk", qw, kw) / size**0.5)
    o = np.einsum("bhjk,bkhd->bjhd", a, vw).reshape(batch, length, width)
    return o @ wo + bo  # type: ignore[no-any-return]


def _feed_forward(
    x: NDArray[np.float64], weights: list[NDArray[np.float64]]
) -> NDArray[np.float64]:
    w1, b1, w2, b2 = weights
    hidden = x @ w1 + b1
    return 0.5 * hidden * (1 + erf(hidden / np.sqrt(2))) @ w2 + b2  # type: ignore[no-any-return]


def logo_forward(
    weights: Weights, tokens: NDArray[np.int64], heads: int = 8, layers: int = 2
) -> NDArray[np.float64]:
    """The chromatin model's probabilities ``(B, N)`` for token rows ``(B, T)``."""
    x = weights["Embedding-Token"][0][tokens] + weights["Embedding-Segment"][0][0]
    x = x + weights["Embedding-Position"][0][: tokens.shape[1]]
    x = _layer_norm(x, weights["Embedding-Norm"])
    mapping, bias = weights["Embedding-Mapping"]
    x = x @ mapping + bias
    shared = "Transformer-MultiHeadSelfAttention" in weights
    for layer in range(layers):
        block = "Transformer" if shared else f"Transformer-{layer}"
        attention = f"{block}-MultiHeadSelfAttention"
        x = _layer_norm(x + _attention(x, weights[attention], heads), weights[f"{attention}-Norm"])
        feed_forward = f"{block}-FeedForward"
        x = _layer_norm(
            x + _feed_forward(x, weights[feed_forward]), weights[f"{feed_forward}-Norm"]
        )
    kernel, bias = weights["CLS-Activation"]
    probabilities: NDArray[np.float64] = 1 / (1 + np.exp(-(x[:, 0] @ kernel + bias)))
    return probabilities
