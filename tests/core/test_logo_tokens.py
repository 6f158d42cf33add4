"""LOGO's own tokenisation (``logo-ngram-v1``), checked against the small implementation of
``tests.logo_reference``, written from how LOGO's chromatin scripts read a window."""

import numpy as np

from core.effects import strand_rows
from core.kmers import Vocabulary
from core.reference import ReferenceGenome
from core.windows import reference_window
from tests.logo_reference import LOGO, NUMBERS, WORD_ID, logo_tokens


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
