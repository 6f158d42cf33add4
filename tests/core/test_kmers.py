import numpy as np
import pytest

from core.kmers import (
    CLS,
    UNK,
    Vocabulary,
    base_codes,
    batch_tokens,
    code_tokens,
    frame_tokens,
    kmer_ids,
    reverse_complement_codes,
)


def test_vocabulary_has_every_5mer_over_acgtn_and_four_special_ids() -> None:
    vocabulary = Vocabulary(5)
    assert vocabulary.size == 3_129  # 5**5 k-mers + pad, unk, cls, mask
    assert vocabulary.kmer_id("AAAAA") == 4
    # A=0 C=1 G=2 T=3 N=4, base 5, most significant base first
    assert vocabulary.kmer_id("ACGTN") == 4 + 0 * 625 + 1 * 125 + 2 * 25 + 3 * 5 + 4
    assert vocabulary.kmer_id("NNNNN") == 3_128
    assert vocabulary.kmer_id("acgtn") == vocabulary.kmer_id("ACGTN")
    assert vocabulary.kmer_id("ACGTR") == UNK


def test_overlapping_kmer_ids_of_a_known_sequence() -> None:
    assert kmer_ids("AACGT", 3).tolist() == [4 + 1, 4 + 5 + 2, 4 + 25 + 10 + 3]  # AAC ACG CGT


def test_frames_hold_non_overlapping_kmers_after_cls() -> None:
    # window length 10, k = 5: read 14 bases; frame f holds the 5-mers starting at f and f + 5
    sequence = "AAAAACCCCCGGGG"
    tokens = frame_tokens(sequence, length=10, k=5)
    vocabulary = Vocabulary(5)
    expected = [
        [CLS, vocabulary.kmer_id(sequence[f : f + 5]), vocabulary.kmer_id(sequence[f + 5 : f + 10])]
        for f in range(5)
    ]
    assert tokens.dtype == np.int64
    assert tokens.tolist() == expected
    assert tokens[0].tolist() == [CLS, 4, 4 + 781]  # AAAAA, CCCCC = 1*(625+125+25+5+1)


def test_a_1000_bp_window_gives_5_frames_of_201_tokens() -> None:
    tokens = batch_tokens(["ACGT" * 251], length=1000, k=5)
    assert tokens.shape == (1, 5, 201)


def test_a_window_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="read as 1004 bases"):
        frame_tokens("A" * 1000, length=1000, k=5)


def _kmer_id_by_hand(kmer: str) -> int:
    """The module docstring's formula, one base at a time."""
    value = 0
    for base in kmer.upper():
        if base not in "ACGTN":
            return UNK
        value = value * 5 + "ACGTN".index(base)
    return 4 + value


def test_a_batch_equals_the_formula_for_every_frame_of_every_sequence() -> None:
    rng = np.random.default_rng(3)
    letters = list("ACGTNacgtRY*é")
    sequences = [
        "".join(rng.choice(letters, size=1004, p=[0.16] * 4 + [0.04] * 9)) for _ in range(6)
    ]
    tokens = batch_tokens(sequences, length=1000, k=5)
    for sequence, frames in zip(sequences, tokens, strict=True):
        for f in range(5):
            expected = [CLS] + [_kmer_id_by_hand(sequence[i : i + 5]) for i in range(f, 1000, 5)]
            assert frames[f].tolist() == expected
        assert np.array_equal(frame_tokens(sequence, 1000, 5), frames)


def test_code_tokens_are_the_tokens_of_the_same_bases() -> None:
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGTNR"), 1004)) for _ in range(3)]
    codes = np.stack([base_codes(s) for s in sequences])
    assert np.array_equal(code_tokens(codes, 1000, Vocabulary(5)), batch_tokens(sequences, 1000, 5))
    assert base_codes("ACGTNRacgtn").tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4]
    assert (
        reverse_complement_codes(base_codes("AACGTNR")).tolist() == base_codes("RNACGTT").tolist()
    )
