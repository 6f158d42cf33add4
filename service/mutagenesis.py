"""In-silico saturation mutagenesis through the scoring engine: a region's SNVs
(``core.ism``) scored as ``/score`` scores them, folded into matrices position x base x feature.

Sites are scored ``SITES_PER_CALL`` at a time, whole sites per engine call, so that the three
SNVs of a position always share their reference window's model rows. The score cache is left
alone: a region's SNVs are not what people look up one by one.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.input_limits import check_deadline
from core.ism import BASES, MutagenesisRegion, MutagenesisSite, mutagenesis_sites
from core.status import Status, StatusTally
from service.scoring.engine import ScoringEngine
from service.scoring.scores import VariantScore

SITES_PER_CALL = 64


@dataclass(frozen=True)
class SiteResult:
    """One position: its status (``scored`` when its three SNVs were), the message of a
    position not scored, and its SNVs' scores."""

    site: MutagenesisSite
    status: Status
    message: str | None
    scores: list[VariantScore]


@dataclass(frozen=True)
class Mutagenesis:
    """A region's mutagenesis: per position its result; ``logfold`` and ``diff`` as
    ``(P, 4, N)`` arrays over positions x ``BASES`` x the model's features (0 where the base is
    the reference's, NaN where the position was not scored)."""

    region: MutagenesisRegion
    sites: list[SiteResult]
    logfold: np.ndarray
    diff: np.ndarray

    def tally(self) -> StatusTally:
        """Status counts over positions."""
        tally = StatusTally()
        for site in self.sites:
            tally.add(site.status)
        return tally


def mutagenesis(
    engine: ScoringEngine,
    region: MutagenesisRegion,
    deadline: float | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Mutagenesis:
    """Every SNV of ``region`` scored; ``DeadlinePassedError`` once ``deadline`` has passed.
    ``progress(snvs, fraction)`` hears after each engine call how far it has gone."""
    sites = mutagenesis_sites(engine.reference, region)
    results: list[SiteResult] = []
    snvs = 0
    for start in range(0, len(sites), SITES_PER_CALL):
        check_deadline(deadline)
        batch = sites[start : start + SITES_PER_CALL]
        scores = engine.score([v for site in batch for v in site.variants], cached=False)
        snvs += len(scores)
        offset = 0
        for site in batch:
            own = scores[offset : offset + len(site.variants)]
            offset += len(site.variants)
            results.append(_site_result(site, own))
        if progress is not None:
            progress(snvs, len(results) / len(sites))
    features = len(engine.model.manifest.feature_names)
    logfold = np.full((len(results), len(BASES), features), np.nan)
    diff = np.full_like(logfold, np.nan)
    for row, result in enumerate(results):
        if result.status is not Status.SCORED:
            continue
        assert result.site.ref is not None
        logfold[row, BASES.index(result.site.ref)] = diff[row, BASES.index(result.site.ref)] = 0
        for variant, score in zip(result.site.variants, result.scores, strict=True):
            assert score.values is not None
            logfold[row, BASES.index(variant.alt)] = score.values.logfold
            diff[row, BASES.index(variant.alt)] = score.values.diff
    return Mutagenesis(region, results, logfold, diff)


def _site_result(site: MutagenesisSite, scores: list[VariantScore]) -> SiteResult:
    if site.rejection is not None:
        return SiteResult(site, site.rejection.status, site.rejection.message, [])
    unscored = [score for score in scores if score.status is not Status.SCORED]
    if unscored:  # the three SNVs of a position share their window: turned down alike
        return SiteResult(site, unscored[0].status, unscored[0].message, scores)
    return SiteResult(site, Status.SCORED, None, scores)
