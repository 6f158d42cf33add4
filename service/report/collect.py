"""What a report needs from a run, gathered as its scored records stream past, in memory bounded
whatever the run's size (the status counts and warnings are the run's ``RunSummary``): a
histogram of priority percentiles per variant class, the strongest variants, and per contig the
largest effect in each of ``POSITION_BINS`` stretches of the sequence held.

A variant's effect, here, is its largest |logfold| over the reported features; the strongest
variants are those with the highest priority percentile (the largest effect where the model
has no priority background), ties broken by input order.
"""

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from core.calibration import variant_class
from core.reference import ContigSpan, ReferenceGenome
from core.status import Status
from service.outputs.render import ScoredRecord
from service.scoring.scores import VariantScore
from service.selection import ResultView

TOP_VARIANTS = 20
PERCENTILE_BINS = 20
POSITION_BINS = 1000
CLASSES = ("snv", "indel")


@dataclass(frozen=True)
class RankedVariant:
    """A scored variant among the strongest: its rank key, its input order, and its score."""

    key: tuple[float, float]
    order: int
    score: VariantScore

    def __lt__(self, other: "RankedVariant") -> bool:
        return (self.key, -self.order) < (other.key, -other.order)


@dataclass
class ContigEffects:
    """The largest effect per stretch of one contig's sequence held, and where it was."""

    span: ContigSpan
    effect: np.ndarray = field(default_factory=lambda: np.full(POSITION_BINS, np.nan))
    position: np.ndarray = field(default_factory=lambda: np.zeros(POSITION_BINS, dtype=np.int64))

    def add(self, pos: int, effect: float) -> None:
        length = max(1, self.span.end - self.span.start)
        index = min(
            POSITION_BINS - 1, max(0, (pos - 1 - self.span.start) * POSITION_BINS // length)
        )
        if np.isnan(self.effect[index]) or effect > self.effect[index]:
            self.effect[index], self.position[index] = effect, pos


@dataclass
class ReportData:
    """Everything a report draws, filled by ``add`` one scored record at a time."""

    view: ResultView
    reference: ReferenceGenome
    percentiles: dict[str, np.ndarray] = field(
        default_factory=lambda: {
            name: np.zeros(PERCENTILE_BINS, dtype=np.int64) for name in CLASSES
        }
    )
    top: list[RankedVariant] = field(default_factory=list)
    contigs: dict[str, ContigEffects] = field(default_factory=dict)
    variants: int = 0

    def add(self, scores: list[VariantScore]) -> None:
        """The scores of one record."""
        for score in scores:
            self.variants += 1
            if score.status is Status.SCORED:
                self._add_scored(score)

    def _add_scored(self, score: VariantScore) -> None:
        values, normalized = score.values, score.normalized
        if values is None or normalized is None or not self.view.selected:
            return
        effect = float(np.max(np.abs(values.logfold[self.view.selected])))
        percentile = None if values.rank is None else values.rank.percentile
        if percentile is not None:
            kind = variant_class(normalized.ref, normalized.alt)
            index = min(PERCENTILE_BINS - 1, int(percentile * PERCENTILE_BINS // 100))
            self.percentiles[kind][index] += 1
        ranked = RankedVariant(
            (-1.0 if percentile is None else percentile, effect), self.variants, score
        )
        if len(self.top) < TOP_VARIANTS:
            heapq.heappush(self.top, ranked)
        elif self.top[0] < ranked:
            heapq.heapreplace(self.top, ranked)
        contig = self.reference.resolve(score.parsed.chrom or "")
        if contig is not None:
            span = self.reference.spans[contig]
            self.contigs.setdefault(contig, ContigEffects(span)).add(normalized.pos, effect)

    def strongest(self) -> list[VariantScore]:
        """The strongest variants, strongest first."""
        return [ranked.score for ranked in sorted(self.top, reverse=True)]

    def observe(self, scored: Iterable[ScoredRecord]) -> Iterator[ScoredRecord]:
        """``scored`` passed on unchanged, each record added on its way."""
        for record, scores in scored:
            self.add(scores)
            yield record, scores

    @property
    def has_percentiles(self) -> bool:
        return any(int(counts.sum()) for counts in self.percentiles.values())
