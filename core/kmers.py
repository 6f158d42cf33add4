"""The one tokenizer: k-mer reading frames, used by training and serving alike.

Dictionary (``Vocabulary``), for k-mer size ``k``:

- ids 0-3 are special: ``pad`` 0, ``unk`` 1 (a k-mer with a base outside ``ACGTN``), ``cls`` 2,
  ``mask`` 3 (masked-k-mer pretraining);
- every k-mer over ``ACGTN`` has id ``4 + sum(code(b_i) * 5**(k-1-i))`` with ``A=0, C=1, G=2,
  T=3, N=4``: lexicographic order over ``ACGTN``. For k = 5 that is 3,125 k-mers, 3,129 ids in
  all (LOGO's vocabulary has 3,138 entries: the same 3,125 k-mers and more special tokens).

A sequence of ``L + k - 1`` bases gives ``k`` frames: frame ``f`` holds the non-overlapping k-mers
starting at ``f, f + k, f + 2k, ...`` (``L/k`` of them), after a ``cls`` token; the tokens of one
sequence have shape ``(F, T) = (k, 1 + L/k)``, ``np.int64``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

ALPHABET = "ACGTN"
PAD, UNK, CLS, MASK = 0, 1, 2, 3
SPECIAL_TOKENS = {"pad": PAD, "unk": UNK, "cls": CLS, "mask": MASK}
TOKENIZER_VERSION = "kmer-frames-v1"

_BASE_CODES = np.full(256, -1, dtype=np.int64)
for _code, _base in enumerate(ALPHABET):
    _BASE_CODES[ord(_base)] = _code
    _BASE_CODES[ord(_base.lower())] = _code


@dataclass(frozen=True)
class Vocabulary:
    """The k-mer dictionary for one ``k``."""

    k: int

    @property
    def size(self) -> int:
        kmer_count: int = len(ALPHABET) ** self.k
        return len(SPECIAL_TOKENS) + kmer_count

    def kmer_id(self, kmer: str) -> int:
        """Id of one k-mer (``unk`` if it has a base outside ``ACGTN``)."""
        return int(kmer_ids(kmer, self.k)[0])


def kmer_ids(sequence: str, k: int) -> NDArray[np.int64]:
    """Ids of every overlapping k-mer of ``sequence``: shape ``(len(sequence) - k + 1,)``."""
    codes = _BASE_CODES[np.frombuffer(sequence.encode("ascii", "replace"), dtype=np.uint8)]
    windows = np.lib.stride_tricks.sliding_window_view(codes, k)  # (n - k + 1, k)
    weights = len(ALPHABET) ** np.arange(k - 1, -1, -1, dtype=np.int64)
    ids = windows @ weights + len(SPECIAL_TOKENS)
    ids[(windows < 0).any(axis=1)] = UNK
    return ids.astype(np.int64)


def frame_tokens(sequence: str, length: int, k: int) -> NDArray[np.int64]:
    """Tokens of one sequence of ``length + k - 1`` bases: shape ``(k, 1 + length // k)``."""
    if len(sequence) != length + k - 1:
        raise ValueError(
            f"a {length} bp window is read as {length + k - 1} bases, got {len(sequence)}"
        )
    ids = kmer_ids(sequence, k)  # (length,)
    frames = ids[:length].reshape(length // k, k).T  # F T-1: frame f holds ids[f::k]
    cls = np.full((k, 1), CLS, dtype=np.int64)
    return np.concatenate([cls, frames], axis=1)  # F T


def batch_tokens(sequences: Sequence[str], length: int, k: int) -> NDArray[np.int64]:
    """Tokens of several sequences: shape ``(B, k, 1 + length // k)``."""
    if not sequences:
        return np.zeros((0, k, 1 + length // k), dtype=np.int64)
    return np.stack([frame_tokens(sequence, length, k) for sequence in sequences])  # B F T
