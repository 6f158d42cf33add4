"""JASPAR motifs: weight matrices, exact p-value thresholds, and scans of a whole contig.

- Matrices: JASPAR 2024 CORE (pyjaspar's sqlite), one per base id in ``MOTIF_BASE_IDS``, the
  latest version that JASPAR lists for human (taxon 9606).
- Weights: ``log2((count + 0.25 * PSEUDOCOUNT) / (total + PSEUDOCOUNT) / background)``, with the
  background the A/C/G/T composition of the contig scanned.
- A strong hit scores at or above the threshold whose p-value under an i.i.d. background of that
  composition is ``HIT_P_VALUE`` (1e-5), computed exactly by dynamic programming over scores
  rounded to 0.01 bit, as FIMO and MOODS do. At 1e-5 a random 200 bp bin holds a hit of a given
  motif on either strand with probability about 0.4%, so a positive bin means a motif instance
  rarely seen by chance; 1e-4 (FIMO's default) would label about 4% of bins by chance alone.
  A short matrix may not reach 1e-5 even with a perfect match: then only perfect-scoring matches
  count, if their p-value is at most ``MAX_P_VALUE`` (1e-4); a matrix that cannot reach even that
  is too unspecific to label with and is left out (``threshold_for`` returns ``None``).
- A bin is positive for a motif when a hit on either strand lies wholly inside it (the hits,
  written as BED by ``training.data.demo_inputs``, label bins by ``training.data.intervals``).
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

MOTIF_BASE_IDS = (
    "MA0139", "MA0095", "MA0079", "MA0506", "MA0028", "MA0062", "MA0018", "MA0093",
    "MA0058", "MA0147", "MA0060", "MA0138", "MA0148", "MA0035", "MA0114", "MA0102",
    "MA0099", "MA0144", "MA0106", "MA0105", "MA0050", "MA0088", "MA0083", "MA0090",
    "MA0039", "MA1115", "MA0143", "MA0162", "MA0002", "MA0098", "MA0496", "MA0112",
    "MA0113", "MA0046", "MA0052", "MA0509", "MA0014", "MA1111",
)  # fmt: skip
HUMAN_TAXON = "9606"
PSEUDOCOUNT = 0.8
HIT_P_VALUE = 1e-5
MAX_P_VALUE = 1e-4
SCORE_RESOLUTION = 100  # scores rounded to 0.01 bit for the exact p-value
N_SCORE = -1e4  # any window holding an N never reaches a threshold
_SCAN_CHUNK = 8_000_000


@dataclass(frozen=True)
class Motif:
    """One JASPAR matrix: ``counts`` has shape ``(4, width)``, rows A, C, G, T."""

    matrix_id: str
    name: str
    counts: NDArray[np.float64]

    @property
    def width(self) -> int:
        return int(self.counts.shape[1])


def load_motifs(sqlite_path: Path, base_ids: tuple[str, ...] = MOTIF_BASE_IDS) -> list[Motif]:
    """The latest human version of each base id, in the order given."""
    connection = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        return [_load_motif(connection, base_id) for base_id in base_ids]
    finally:
        connection.close()


def _load_motif(connection: sqlite3.Connection, base_id: str) -> Motif:
    row = connection.execute(
        "SELECT m.ID, m.VERSION, m.NAME FROM MATRIX m JOIN MATRIX_SPECIES s ON m.ID = s.ID "
        "WHERE m.BASE_ID = ? AND m.COLLECTION = 'CORE' AND s.TAX_ID = ? "
        "ORDER BY m.VERSION DESC LIMIT 1",
        (base_id, HUMAN_TAXON),
    ).fetchone()
    if row is None:
        raise LookupError(f"JASPAR has no human CORE matrix {base_id}")
    internal_id, version, name = row
    cells = connection.execute(
        "SELECT row, col, val FROM MATRIX_DATA WHERE ID = ?", (internal_id,)
    ).fetchall()
    width = max(col for _, col, _ in cells)
    counts = np.zeros((4, width), dtype=np.float64)
    for base, col, value in cells:
        counts["ACGT".index(base.upper()), col - 1] = value
    return Motif(matrix_id=f"{base_id}.{version}", name=str(name), counts=counts)


def log_odds(motif: Motif, background: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weights ``(width, 4)`` in bits against ``background`` (A, C, G, T frequencies)."""
    totals = motif.counts.sum(axis=0)  # width
    probabilities = (motif.counts + 0.25 * PSEUDOCOUNT) / (totals + PSEUDOCOUNT)  # 4 width
    return np.asarray(np.log2(probabilities / background[:, None]).T, dtype=np.float64)


@dataclass(frozen=True)
class Threshold:
    score: float
    p_value: float
    """The chance of a score at or above ``score`` at one position of one strand."""


def threshold_for(
    weights: NDArray[np.float64], background: NDArray[np.float64]
) -> Threshold | None:
    """The strong-hit threshold of ``weights`` (see the module docstring), or ``None``."""
    scores, tail = score_tail(weights, background)
    reachable = np.flatnonzero(tail <= HIT_P_VALUE)
    if len(reachable):
        index = int(reachable[0])
    elif tail[-1] <= MAX_P_VALUE:
        index = len(tail) - 1
    else:
        return None
    return Threshold(score=float(scores[index]), p_value=float(tail[index]))


def score_tail(
    weights: NDArray[np.float64], background: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Every attainable score (rounded to 0.01 bit) and ``P(score >= it)`` under the background."""
    scaled = np.rint(weights * SCORE_RESOLUTION).astype(np.int64)  # width 4
    low = int(scaled.min(axis=1).sum())
    distribution = np.zeros(int(scaled.max(axis=1).sum()) - low + 1)
    distribution[0] = 1.0  # distribution[i] = P(score == low + i), column by column
    for column in scaled:
        shifted = column - column.min()
        updated = np.zeros_like(distribution)
        for base in range(4):
            size = len(distribution) - shifted[base]
            updated[shifted[base] :] += background[base] * distribution[:size]
        distribution = updated
    tail = np.cumsum(distribution[::-1])[::-1]  # P(score >= low + i)
    attainable = distribution > 0
    scores = (low + np.arange(len(distribution))) / SCORE_RESOLUTION
    return scores[attainable], tail[attainable]


def base_codes(sequence: str) -> NDArray[np.int8]:
    """A=0, C=1, G=2, T=3, anything else 4."""
    lookup = np.full(256, 4, dtype=np.int8)
    for code, base in enumerate("ACGT"):
        lookup[ord(base)] = code
    return lookup[np.frombuffer(sequence.upper().encode("ascii"), dtype=np.uint8)]


def background_of(codes: NDArray[np.int8]) -> NDArray[np.float64]:
    counts = np.bincount(codes, minlength=5)[:4].astype(np.float64)
    frequencies: NDArray[np.float64] = counts / counts.sum()
    return frequencies


def hit_starts(
    codes: NDArray[np.int8], weights: NDArray[np.float64], threshold: float
) -> NDArray[np.int64]:
    """0-based starts of windows scoring >= ``threshold`` on either strand.

    Scores are summed from weights rounded to 0.01 bit, exactly as ``score_tail`` counts them,
    so the hits are those whose p-value the threshold promises.
    """
    scaled = np.rint(weights * SCORE_RESOLUTION).astype(np.int32)  # width 4
    n_column = np.full((len(scaled), 1), N_SCORE * SCORE_RESOLUTION, dtype=np.int32)
    forward = np.concatenate([scaled, n_column], axis=1)  # width 5
    reverse = np.concatenate([scaled[::-1, ::-1], n_column], axis=1)
    cutoff = round(threshold * SCORE_RESOLUTION)
    width = len(scaled)
    starts: list[NDArray[np.int64]] = []
    for chunk in range(0, len(codes) - width + 1, _SCAN_CHUNK):
        count = min(_SCAN_CHUNK, len(codes) - width + 1 - chunk)
        hit = np.zeros(count, dtype=bool)
        for table in (forward, reverse):
            score = np.zeros(count, dtype=np.int32)
            for j in range(width):
                score += table[j][codes[chunk + j : chunk + j + count]]
            hit |= score >= cutoff
        starts.append(chunk + np.flatnonzero(hit))
    return np.concatenate(starts).astype(np.int64)
