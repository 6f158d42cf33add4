from pathlib import Path

import numpy as np

from core.reference import ReferenceGenome
from core.windows import WindowSpec
from service.settings import DEMO_FASTA
from tests.conftest import THOUSAND_GENOMES_VCF
from training.background import observed_snvs, simulated_snvs
from training.prioritiser import fit_prioritiser

SPEC = WindowSpec()


def test_observed_snvs_are_real_matching_and_scorable() -> None:
    reference = ReferenceGenome(DEMO_FASTA)  # 20:1-6,000,000
    snvs = observed_snvs([THOUSAND_GENOMES_VCF, THOUSAND_GENOMES_VCF], reference, "20", SPEC)
    # the file's SNVs at 20:1-6,000,000 (33 records), each counted once
    assert len(snvs) == 33 and len(set(snvs)) == 33
    for pos, ref, alt in snvs:
        assert 500 <= pos <= 5_999_500
        assert reference.fetch("20", pos - 1, pos) == ref and alt != ref


def test_simulated_snvs_match_the_mutation_type(slice_reference: ReferenceGenome) -> None:
    observed = [(1_290_000, slice_reference.fetch("20", 1_289_999, 1_290_000), "A")]
    if observed[0][1] == "A":
        observed = [(1_290_000, "A", "G")]
    simulated = simulated_snvs(observed, slice_reference, "20", SPEC, 5, np.random.default_rng(0))
    assert len(simulated) == 5
    for pos, ref, alt in simulated:
        assert (ref, alt) == observed[0][1:]
        assert slice_reference.fetch("20", pos - 1, pos) == ref


def test_the_prioritiser_separates_separable_proxy_labels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    simulated = np.arange(400) % 2 == 1
    logfold = rng.normal(size=(400, 3)) + simulated[:, None] * 2.0
    diff = rng.normal(size=(400, 3))
    positions = np.arange(400, dtype=np.int64) * 1000
    prioritiser = fit_prioritiser(logfold, diff, simulated, positions, held_out=(300_000, 399_000))
    assert prioritiser.metrics is not None
    assert prioritiser.metrics["held_out_variants"] == 100
    assert prioritiser.metrics["held_out_auroc"] > 0.95
    assert "not for clinical" in prioritiser.description.lower()
