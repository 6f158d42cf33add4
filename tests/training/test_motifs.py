import sqlite3
from pathlib import Path

import numpy as np
import pytest

from training.data.motifs import (
    Motif,
    base_codes,
    hit_starts,
    load_motifs,
    log_odds,
    score_tail,
    threshold_for,
)

UNIFORM = np.full(4, 0.25)


def _motif(consensus: str, count: float = 97.0, other: float = 1.0) -> Motif:
    counts = np.full((4, len(consensus)), other)
    for col, base in enumerate(consensus):
        counts["ACGT".index(base), col] = count
    return Motif("MA9999.1", "TEST", counts)


def test_the_exact_tail_of_a_two_column_matrix() -> None:
    weights = np.array([[2.0, -1.0, -1.0, -1.0], [1.0, 1.0, -2.0, -2.0]])  # width 2, A C G T
    scores, tail = score_tail(weights, UNIFORM)
    # attainable sums: 3 (A,AC: 2/16), 0 (A,GT: 2/16 and CGT,AC: 6/16), -3 (CGT,GT: 6/16)
    assert scores.tolist() == [-3.0, 0.0, 3.0]
    assert tail.tolist() == pytest.approx([1.0, 10 / 16, 2 / 16])


def test_threshold_is_the_lowest_score_within_the_p_value() -> None:
    weights = log_odds(_motif("ACGTACGTAC"), UNIFORM)  # a perfect match: 4**-10 ~ 1e-6
    threshold = threshold_for(weights, UNIFORM)
    assert threshold is not None and threshold.p_value <= 1e-5
    scores, tail = score_tail(weights, UNIFORM)
    below = scores < threshold.score
    assert tail[below].min() > 1e-5  # every lower score is more likely than 1e-5


def test_short_matrices_use_perfect_matches_or_are_left_out() -> None:
    seven = threshold_for(log_odds(_motif("ACGTACG"), UNIFORM), UNIFORM)  # 4**-7 = 6.1e-5
    assert seven is not None and seven.p_value == pytest.approx(4.0**-7)
    assert threshold_for(log_odds(_motif("ACGTAC"), UNIFORM), UNIFORM) is None  # 2.4e-4


def test_hits_are_found_on_both_strands_and_never_across_n() -> None:
    motif = _motif("ACGTTGCAAC")
    weights = log_odds(motif, UNIFORM)
    threshold = threshold_for(weights, UNIFORM)
    assert threshold is not None
    reverse = "GTTGCAACGT"  # reverse complement of the consensus
    sequence = "T" * 20 + "ACGTTGCAAC" + "T" * 30 + reverse + "T" * 10 + "ACGTTNCAAC" + "T" * 5
    starts = hit_starts(base_codes(sequence), weights, threshold.score)
    assert starts.tolist() == [20, 60]


def test_matrices_load_from_a_jaspar_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "jaspar.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE MATRIX (ID, COLLECTION, BASE_ID, VERSION, NAME);"
        "CREATE TABLE MATRIX_SPECIES (ID, TAX_ID);"
        "CREATE TABLE MATRIX_DATA (ID, row, col, val);"
        "INSERT INTO MATRIX VALUES (1, 'CORE', 'MA0001', 1, 'OLD'),"
        " (2, 'CORE', 'MA0001', 2, 'NEW'), (3, 'CORE', 'MA0001', 3, 'FLY');"
        "INSERT INTO MATRIX_SPECIES VALUES (1, '9606'), (2, '9606'), (3, '7227');"
    )
    rows = [(2, base, col, float(10 * col + i)) for i, base in enumerate("ACGT") for col in (1, 2)]
    connection.executemany("INSERT INTO MATRIX_DATA VALUES (?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()
    (motif,) = load_motifs(path, ("MA0001",))
    assert (motif.matrix_id, motif.name) == ("MA0001.2", "NEW")  # latest human version
    assert motif.counts.tolist() == [[10, 20], [11, 21], [12, 22], [13, 23]]
