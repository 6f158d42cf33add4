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

OTHER = len(ALPHABET)
"""Base code of anything outside ``ACGTN`` (its k-mers become ``unk``)."""
_BASE_CODES = np.full(256, OTHER, dtype=np.uint8)
for _code, _base in enumerate(ALPHABET):
    _BASE_CODES[ord(_base)] = _code
    _BASE_CODES[ord(_base.lower())] = _code
_COMPLEMENT_CODES = np.array([3, 2, 1, 0, 4, OTHER], dtype=np.uint8)  # A<>T, C<>G, N, other


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


def base_codes(text: str | bytes) -> NDArray[np.uint8]:
    """Base codes of ``text`` (``A=0, C=1, G=2, T=3, N=4``, any case; ``OTHER`` for anything
    else), one ``uint8`` per character: the form training shards store windows in."""
    raw = text if isinstance(text, bytes) else text.encode("ascii", "replace")
    codes: NDArray[np.uint8] = _BASE_CODES[np.frombuffer(raw, dtype=np.uint8)]
    return codes


def reverse_complement_codes(codes: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The reverse complement of base codes, along the last axis."""
    complemented: NDArray[np.uint8] = _COMPLEMENT_CODES[codes][..., ::-1]
    return complemented


def _kmer_id_rows(codes: NDArray[np.uint8], k: int) -> NDArray[np.int64]:
    """Ids of every overlapping k-mer of each row of ``codes`` ``(B, n)``: ``(B, n - k + 1)``."""
    count = codes.shape[1] - k + 1
    ids = np.zeros((codes.shape[0], count), dtype=np.int32)
    unknown = np.zeros((codes.shape[0], count), dtype=bool)
    for offset in range(k):
        window = codes[:, offset : offset + count]
        ids *= len(ALPHABET)
        ids += window
        unknown |= window >= OTHER
    ids += len(SPECIAL_TOKENS)
    ids[unknown] = UNK
    return ids.astype(np.int64)


def kmer_ids(sequence: str, k: int) -> NDArray[np.int64]:
    """Ids of every overlapping k-mer of ``sequence``: shape ``(len(sequence) - k + 1,)``."""
    ids: NDArray[np.int64] = _kmer_id_rows(base_codes(sequence)[None, :], k)[0]
    return ids


def _check_length(sequence: str, length: int, k: int) -> None:
    if len(sequence) != length + k - 1:
        raise ValueError(
            f"a {length} bp window is read as {length + k - 1} bases, got {len(sequence)}"
        )


def frame_tokens(sequence: str, length: int, k: int) -> NDArray[np.int64]:
    """Tokens of one sequence of ``length + k - 1`` bases: shape ``(k, 1 + length // k)``."""
    tokens: NDArray[np.int64] = batch_tokens([sequence], length, k)[0]
    return tokens


def batch_tokens(sequences: Sequence[str], length: int, k: int) -> NDArray[np.int64]:
    """Tokens of several sequences of ``length + k - 1`` bases: shape ``(B, k, 1 + length // k)``;
    frame ``f`` of a sequence holds the ids of its k-mers starting at ``f, f + k, ...``."""
    for sequence in sequences:
        _check_length(sequence, length, k)
    codes = base_codes("".join(sequences)).reshape(len(sequences), length + k - 1)  # B n
    return code_tokens(codes, length, k)


def code_tokens(codes: NDArray[np.uint8], length: int, k: int) -> NDArray[np.int64]:
    """``batch_tokens`` of sequences given as base codes ``(B, length + k - 1)``; vectorised
    over the batch, as training's data loader reads windows from shards."""
    if codes.ndim != 2 or codes.shape[1] != length + k - 1:
        raise ValueError(
            f"a {length} bp window is read as {length + k - 1} bases, got {codes.shape}"
        )
    if not len(codes):
        return np.zeros((0, k, 1 + length // k), dtype=np.int64)
    ids = _kmer_id_rows(codes, k)[:, :length]  # B L
    frames = ids.reshape(len(codes), length // k, k).transpose(0, 2, 1)  # B F T-1
    cls = np.full((len(codes), k, 1), CLS, dtype=np.int64)
    return np.concatenate([cls, frames], axis=2)  # B F T
