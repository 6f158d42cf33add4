"""LOGO's own tokenisation (``logo-ngram-v1``), checked against a small implementation written
here from how LOGO's chromatin scripts read a window (melobio/LOGO ``encodeSeqs``,
``onehot_to_ngram``, ``npz2record``): one-hot A, G, C, T (N all zeros), the reverse strand as the
one-hot flipped on both axes, bases as the digits 1-4 (N 0), a 5-mer as the number its digits
spell (a k-mer reaching past the window's end padded with N: 0), frame ``f`` the 5-mers at
``f, f + 5, ..., f + 995``. The dictionary is written here as what LOGO's layer-by-layer build
amounts to: every number of at most five digits 0-4, in increasing order, from id 10."""

import itertools

import numpy as np

from core.effects import strand_rows
from core.kmers import Vocabulary
from core.reference import ReferenceGenome
from core.windows import WindowSpec, reference_window

LOGO = WindowSpec(1000, 5, "n-padded", "logo-ngram-v1")
NUMBERS = sorted({int("".join(d)) for d in itertools.product("01234", repeat=5)})
WORD_ID = {number: 10 + rank for rank, number in enumerate(NUMBERS)}
ONE_HOT = {"A": 0, "G": 1, "C": 2, "T": 3}


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


def test_logo_ids_cover_every_5mer_once_from_10() -> None:
    vocabulary = Vocabulary(5, "logo-ngram-v1")
    assert len(NUMBERS) == 3125 and vocabulary.size == 3138  # LOGO-919's embedding rows
    assert (vocabulary.kmer_id("NNNNN"), vocabulary.kmer_id("NNNNA")) == (10, 11)
    assert vocabulary.kmer_id("AAAAA") == WORD_ID[11111]
    assert vocabulary.kmer_id("TTTTT") == 3134
    assert not vocabulary.cls and LOGO.tokens_per_frame == 200


def test_real_windows_tokenise_as_logo_reads_them_on_both_strands(
    slice_reference: ReferenceGenome,
) -> None:
    anchors = [1_281_000, 1_286_600, 1_292_032, 1_298_000]
    windows = [reference_window(slice_reference, "20", anchor, LOGO) for anchor in anchors]
    assert all(w.endswith("NNNN") and len(w) == 1004 for w in windows)  # 1000 bases + N tail
    with_n = windows[0][:300] + "NNNNNNN" + windows[0][307:700] + "R" + windows[0][701:]
    windows.append(with_n)  # N runs, and a base LOGO does not know (read as N)
    rows = strand_rows(windows, LOGO).reshape(len(windows), 2, 5, 200)
    for window, tokens in zip(windows, rows, strict=True):
        expected = logo_tokens(window[:1000].replace("R", "N"))
        assert np.array_equal(tokens, expected)
