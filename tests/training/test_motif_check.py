import numpy as np

from training.data.motifs import Motif, base_codes, log_odds, threshold_for
from training.motif_check import breaking_snv, motif_snvs

UNIFORM = np.full(4, 0.25)
CONSENSUS = "ACGTTGCAAC"


def _motif() -> Motif:
    counts = np.full((4, len(CONSENSUS)), 1.0)
    for col, base in enumerate(CONSENSUS):
        counts["ACGT".index(base), col] = 97.0
    return Motif("MA9999.1", "TEST", counts)


def _best_strand_score(window: str, weights: np.ndarray) -> float:
    """On the 0.01-bit scale that thresholds and ``hit_starts`` use."""
    scaled = np.rint(weights * 100)
    codes = base_codes(window)
    idx = np.arange(len(codes))
    return float(max(scaled[idx, codes].sum(), scaled[::-1, ::-1][idx, codes].sum())) / 100


def test_the_breaking_snv_takes_the_hit_below_its_threshold() -> None:
    weights = log_odds(_motif(), UNIFORM)
    threshold = threshold_for(weights, UNIFORM)
    assert threshold is not None
    offset, alt = breaking_snv(CONSENSUS, weights)
    broken = CONSENSUS[:offset] + alt + CONSENSUS[offset + 1 :]
    assert _best_strand_score(CONSENSUS, weights) >= threshold.score
    assert _best_strand_score(broken, weights) < threshold.score
    assert breaking_snv("ACGTNGCAAC", weights) is None


def test_motif_snvs_pair_each_broken_hit_with_a_random_snv_in_its_bin() -> None:
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), size=1000))
    sequence = sequence[:250] + CONSENSUS + sequence[260:]  # a hit inside bin [200, 400)
    bins = np.array([0, 200, 400, 600, 800], dtype=np.int64)
    snvs = motif_snvs(sequence, bins, [(7, _motif())], UNIFORM, per_motif=5, rng=rng)
    breaking = [s for s in snvs if s.breaking]
    random = [s for s in snvs if not s.breaking]
    assert len(breaking) == len(random) >= 1
    assert any(251 <= s.pos <= 260 for s in breaking)
    for snv in snvs:
        assert snv.feature == 7 and sequence[snv.pos - 1] == snv.ref and snv.alt != snv.ref
    for snv in random:
        assert not 251 <= snv.pos <= 260


def test_a_hit_that_another_hit_in_its_bin_outlives_is_not_broken() -> None:
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), size=1000))
    sequence = sequence[:250] + CONSENSUS + sequence[260:]  # alone in bin [200, 400)
    sequence = sequence[:610] + CONSENSUS * 2 + sequence[630:]  # two hits in bin [600, 800)
    bins = np.array([0, 200, 400, 600, 800], dtype=np.int64)
    snvs = motif_snvs(sequence, bins, [(7, _motif())], UNIFORM, per_motif=5, rng=rng)
    breaking = [s.pos for s in snvs if s.breaking]
    assert breaking and all(251 <= pos <= 260 for pos in breaking)
