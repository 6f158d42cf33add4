"""The one tokenizer: k-mer reading frames, used by training and serving alike, in two schemes.

``kmer-frames-v1`` (``TOKENIZER_VERSION``, the demo model's), for k-mer size ``k``:

- ids 0-3 are special: ``pad`` 0, ``unk`` 1 (a k-mer with a base outside ``ACGTN``), ``cls`` 2,
  ``mask`` 3 (masked-k-mer pretraining);
- every k-mer over ``ACGTN`` has id ``4 + sum(code(b_i) * 5**(k-1-i))`` with ``A=0, C=1, G=2,
  T=3, N=4``: lexicographic order over ``ACGTN``. For k = 5 that is 3,125 k-mers, 3,129 ids;
- a frame starts with ``cls``: tokens of one sequence have shape ``(F, T) = (k, 1 + L/k)``.

``logo-ngram-v1`` (``LOGO_TOKENIZER``), LOGO's own (melobio/LOGO, ``encodeSeqs`` and
``onehot_to_ngram`` with ``get_word_dict_for_n_gram_number``, as its chromatin scripts read a
window): bases are the digits ``N=0, A=1, G=2, C=3, T=4`` (anything else counts as N), a k-mer is
the number its digits spell, and ids are given from 10 on, layer by layer — the 1-mers 0-4, then
every number of two digits, three, ..., each new number once — so that all 5**k k-mers get ids
``10 .. 9 + 5**k``; LOGO's embedding has ``5**k + 13`` rows (3,138 for k = 5). There is no
``cls``: a frame is ``L/k`` k-mer tokens and the model's head reads the first.

A sequence of ``L + k - 1`` bases gives ``k`` frames: frame ``f`` holds the non-overlapping k-mers
starting at ``f, f + k, f + 2k, ...`` (``L/k`` of them); ``np.int64``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

ALPHABET = "ACGTN"
PAD, UNK, CLS, MASK = 0, 1, 2, 3
SPECIAL_TOKENS = {"pad": PAD, "unk": UNK, "cls": CLS, "mask": MASK}
TOKENIZER_VERSION = "kmer-frames-v1"
LOGO_TOKENIZER = "logo-ngram-v1"
TOKENIZERS = (TOKENIZER_VERSION, LOGO_TOKENIZER)
LOGO_FIRST_ID = 10
LOGO_MASK = 2
"""The id masked k-mers take when a ``logo-ngram-v1`` model is pretrained here (one of LOGO's
reserved ids below its first k-mer id)."""

OTHER = len(ALPHABET)
"""Base code of anything outside ``ACGTN`` (its k-mers become ``unk``)."""
_BASE_CODES = np.full(256, OTHER, dtype=np.uint8)
for _code, _base in enumerate(ALPHABET):
    _BASE_CODES[ord(_base)] = _code
    _BASE_CODES[ord(_base.lower())] = _code
_COMPLEMENT_CODES = np.array([3, 2, 1, 0, 4, OTHER], dtype=np.uint8)  # A<>T, C<>G, N, other
_LOGO_DIGITS = np.array([1, 3, 2, 4, 0, 0], dtype=np.int64)  # A C G T N other -> LOGO's digits


@dataclass(frozen=True)
class Vocabulary:
    """The k-mer dictionary of one ``k`` and ``scheme`` (see the module docstring)."""

    k: int
    scheme: str = TOKENIZER_VERSION

    def __post_init__(self) -> None:
        if self.scheme not in TOKENIZERS:
            raise ValueError(f"tokenizer {self.scheme!r} is not one of {', '.join(TOKENIZERS)}")

    @property
    def cls(self) -> bool:
        """Whether every frame starts with a ``cls`` token."""
        return self.scheme == TOKENIZER_VERSION

    @property
    def first_kmer_id(self) -> int:
        return len(SPECIAL_TOKENS) if self.cls else LOGO_FIRST_ID

    @property
    def mask_id(self) -> int:
        return MASK if self.cls else LOGO_MASK

    @property
    def size(self) -> int:
        kmer_count: int = len(ALPHABET) ** self.k
        return self.first_kmer_id + kmer_count + (0 if self.cls else 3)

    def kmer_id(self, kmer: str) -> int:
        """Id of one k-mer (``unk`` if it has a base outside ``ACGTN``, in ``kmer-frames-v1``)."""
        return int(self.ids(base_codes(kmer)[None, :])[0, 0])

    def ids(self, codes: NDArray[np.uint8]) -> NDArray[np.int64]:
        """Ids of every overlapping k-mer of each row of ``codes`` ``(B, n)``: ``(B, n-k+1)``."""
        if self.cls:
            return _kmer_id_rows(codes, self.k)
        index = _kmer_index_rows(_LOGO_DIGITS[codes], self.k)
        ids: NDArray[np.int64] = _logo_ids(self.k)[index]
        return ids

    def tokens_per_frame(self, length: int) -> int:
        return length // self.k + (1 if self.cls else 0)


@lru_cache(maxsize=4)
def _logo_ids(k: int) -> NDArray[np.int64]:
    """LOGO's id of every k-mer, indexed by its digits read in base 5 (module docstring)."""
    ids: dict[int, int] = {}
    layer = list(range(5))
    for digit in layer:
        ids[digit] = LOGO_FIRST_ID + len(ids)
    for length in range(2, k + 1):
        grown = []
        for word in layer:
            if len(str(word)) != length - 1:
                continue
            for digit in range(5):
                number = word * 10 + digit
                if number not in ids:
                    grown.append(number)
                    ids[number] = LOGO_FIRST_ID + len(ids)
        layer = grown
    table = np.zeros(5**k, dtype=np.int64)
    for index in range(5**k):
        digits = np.base_repr(index, 5).zfill(k)
        table[index] = ids[int(digits)]
    return table


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


def _kmer_index_rows(digits: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    """``sum(digit_i * 5**(k-1-i))`` of every overlapping k-mer of each row ``(B, n)``."""
    count = digits.shape[1] - k + 1
    index = np.zeros((digits.shape[0], count), dtype=np.int64)
    for offset in range(k):
        index *= 5
        index += digits[:, offset : offset + count]
    return index


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
    """``kmer-frames-v1`` ids of every overlapping k-mer of ``sequence``: ``(len - k + 1,)``."""
    ids: NDArray[np.int64] = _kmer_id_rows(base_codes(sequence)[None, :], k)[0]
    return ids


def _check_length(sequence: str, length: int, k: int) -> None:
    if len(sequence) != length + k - 1:
        raise ValueError(
            f"a {length} bp window is read as {length + k - 1} bases, got {len(sequence)}"
        )


def frame_tokens(sequence: str, length: int, k: int) -> NDArray[np.int64]:
    """``kmer-frames-v1`` tokens of one sequence of ``length + k - 1`` bases: ``(k, 1 + L/k)``."""
    tokens: NDArray[np.int64] = batch_tokens([sequence], length, k)[0]
    return tokens


def batch_tokens(sequences: Sequence[str], length: int, k: int) -> NDArray[np.int64]:
    """``kmer-frames-v1`` tokens of sequences of ``length + k - 1`` bases: ``(B, k, 1 + L/k)``;
    frame ``f`` of a sequence holds the ids of its k-mers starting at ``f, f + k, ...``."""
    for sequence in sequences:
        _check_length(sequence, length, k)
    codes = base_codes("".join(sequences)).reshape(len(sequences), length + k - 1)  # B n
    return code_tokens(codes, length, Vocabulary(k))


def code_tokens(codes: NDArray[np.uint8], length: int, vocabulary: Vocabulary) -> NDArray[np.int64]:
    """Tokens of sequences given as base codes ``(B, length + k - 1)``: ``(B, k, T)`` with ``T``
    ``vocabulary.tokens_per_frame(length)``; vectorised over the batch, as serving builds its
    rows and training's data loader reads windows from shards."""
    k = vocabulary.k
    if codes.ndim != 2 or codes.shape[1] != length + k - 1:
        raise ValueError(
            f"a {length} bp window is read as {length + k - 1} bases, got {codes.shape}"
        )
    if not len(codes):
        return np.zeros((0, k, vocabulary.tokens_per_frame(length)), dtype=np.int64)
    ids = vocabulary.ids(codes)[:, :length]  # B L
    frames = ids.reshape(len(codes), length // k, k).transpose(0, 2, 1)  # B F L/k
    if not vocabulary.cls:
        return np.ascontiguousarray(frames)
    cls = np.full((len(codes), k, 1), CLS, dtype=np.int64)
    return np.concatenate([cls, frames], axis=2)  # B F T
