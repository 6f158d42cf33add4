"""Token-level motif labels: the labelled tokens of every strand and frame read the hit."""

import numpy as np

from core.kmers import batch_tokens
from core.windows import WindowSpec, reverse_complement
from training.motif_tokens import MotifHits, token_motif_labels

SPEC = WindowSpec()
MOTIF = "CCGCGNGGNGGCAG"  # a CTCF-like 14-mer, planted in random sequence


def _genome(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list("ACGT"), size=5000))


def test_labelled_tokens_cover_the_hit_on_both_strands_and_every_frame() -> None:
    rng = np.random.default_rng(3)
    genome = _genome(rng)
    hit_start = 2203
    genome = genome[:hit_start] + MOTIF + genome[hit_start + len(MOTIF) :]
    hits = MotifHits.collect([(9, np.array([hit_start]), len(MOTIF))])
    assert hits.columns.tolist() == [9]
    window_start = 1700  # the hit sits at read offset 503-517
    read = genome[window_start : window_start + SPEC.read_length]
    for strand, oriented, motif in ((0, read, MOTIF), (1, reverse_complement(read), None)):
        motif = motif or reverse_complement(MOTIF)
        for frame in range(SPEC.k):
            labels = token_motif_labels(
                hits, np.array([window_start]), np.array([strand]), np.array([frame]), SPEC
            )[0, :, 0]
            tokens = np.flatnonzero(labels)  # 0-based among the k-mer tokens (cls excluded)
            # contiguous tokens, whose bases hold the whole hit and no more than k - 1 extra
            assert np.array_equal(tokens, np.arange(tokens[0], tokens[-1] + 1))
            covered = oriented[frame + SPEC.k * tokens[0] : frame + SPEC.k * (tokens[-1] + 1)]
            assert motif in covered and len(covered) < len(MOTIF) + 2 * SPEC.k
            # and those are the bases the tokenizer reads at tokens 1 + tokens
            read_tokens = batch_tokens([oriented], SPEC.length, SPEC.k)[0, frame]
            planted = batch_tokens([oriented.replace(covered, "A" * len(covered))], 1000, 5)
            changed = np.flatnonzero(read_tokens != planted[0, frame])
            assert np.array_equal(changed, 1 + tokens)


def test_hits_outside_the_read_or_cut_by_its_edge() -> None:
    hits = MotifHits.collect(
        [(0, np.array([100, 1000 + SPEC.read_length - 3]), 10), (1, np.array([1000]), 6)]
    )
    labels = token_motif_labels(hits, np.array([1000]), np.array([0]), np.array([0]), SPEC)[0]
    # motif 0 at 100 is far outside; its second hit starts 3 bases before the read ends, past
    # the last base of frame 0 (1000 + 999): no token of frame 0 reads it
    assert labels[:, 0].sum() == 0
    # motif 1 at the read's first base: tokens 0 and 1 of frame 0 (bases 0-4, 5-9)
    assert np.flatnonzero(labels[:, 1]).tolist() == [0, 1]
    reverse = token_motif_labels(hits, np.array([1000]), np.array([1]), np.array([4]), SPEC)[0]
    # reversed, offsets 0-5 become 998-1003; frame 4's last two tokens read 994-998, 999-1003
    assert np.flatnonzero(reverse[:, 1]).tolist() == [198, 199]
    # the edge hit (forward offsets 1001-1003) becomes offsets 0-2: frame 0's first token only
    reverse = token_motif_labels(hits, np.array([1000]), np.array([1]), np.array([0]), SPEC)[0]
    assert np.flatnonzero(reverse[:, 0]).tolist() == [0]
