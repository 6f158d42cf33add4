"""The scoring engine: parsed inputs -> one ``VariantScore`` per input, in input order."""

from collections.abc import Callable
from functools import partial

import numpy as np

from core.calibration import variant_class
from core.classify import DEFAULT_MAX_ALLELE_LENGTH, Rejection, ScorableVariant, prepare
from core.effects import variant_rows
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from core.status import Status
from core.variants import ParsedInput
from core.windows import AlleleWindows
from service.metrics import CACHE_AVAILABLE, CACHE_LOOKUPS, RESULTS
from service.scoring.cache import ScoreCache, cache_key, cache_namespace, open_cache
from service.scoring.model import OnnxModel, RowRunner
from service.scoring.providers import CPU
from service.scoring.scores import ScoreValues, VariantScore, held_bytes
from service.settings import Settings


class ScoringEngine:
    """Scores variants with one model against one reference; identical normalised variants are
    scored once per call, and scores found in ``cache`` not at all."""

    def __init__(
        self,
        model: OnnxModel,
        reference: ReferenceGenome,
        max_allele_length: int = DEFAULT_MAX_ALLELE_LENGTH,
        cache: ScoreCache | None = None,
    ) -> None:
        self.model = model
        self.reference = reference
        self.spec = model.manifest.window
        self.max_allele_length = max_allele_length
        self.cache = cache
        self.namespace = cache_namespace(
            model.manifest_sha256, model.file.run_id, reference.identity.digest
        )

    def score(self, inputs: list[ParsedInput], cached: bool = True) -> list[VariantScore]:
        """One score per input, same order; a rejected input never affects the others. With
        ``cached`` false the cache is neither read nor filled (in-silico mutagenesis: thousands
        of SNVs nobody asks for one by one)."""
        prepared = [
            prepare(parsed, self.reference, self.spec, self.max_allele_length) for parsed in inputs
        ]
        unique: dict[str, ScorableVariant] = {}
        for item in prepared:
            if isinstance(item, ScorableVariant):
                unique.setdefault(self._key(item), item)
        cache = self.cache if cached else None
        found = cache.get_many(list(unique)) if cache else {}
        missing = [key for key in unique if key not in found]
        if cache:
            CACHE_LOOKUPS.labels("hit").inc(len(found))
            CACHE_LOOKUPS.labels("miss").inc(len(missing))
            CACHE_AVAILABLE.set(int(cache.available))
        computed = dict(zip(missing, self._compute([unique[k] for k in missing]), strict=True))
        if cache and computed:
            cache.put_many(computed)
        values = found | computed
        results: list[VariantScore] = []
        for parsed, item in zip(inputs, prepared, strict=True):
            RESULTS.labels(
                Status.SCORED if isinstance(item, ScorableVariant) else item.status
            ).inc()
            if isinstance(item, Rejection):
                results.append(VariantScore(parsed, item.status, item.message))
                continue
            results.append(
                VariantScore(
                    parsed,
                    Status.SCORED,
                    normalized=item.normalized,
                    values=values[self._key(item)],
                )
            )
        return results

    def _key(self, item: ScorableVariant) -> str:
        return cache_key(self.namespace, item.windows.contig, item.normalized)

    def _compute(self, variants: list[ScorableVariant]) -> list[ScoreValues]:
        """Model passes for ``variants``: their per-feature values, E-values and priority."""
        if not variants:
            return []
        return self.values(variants, self._effects([item.windows for item in variants]))

    def values(self, variants: list[ScorableVariant], effects: VariantEffects) -> list[ScoreValues]:
        """The score math on the model's ``effects`` of ``variants``: per-feature values,
        E-values against the background of each variant's class, priority and its rank."""
        classes = [variant_class(item.normalized.ref, item.normalized.alt) for item in variants]
        backgrounds = {"snv": self.model.background, "indel": self.model.indel_background}
        evalues: dict[int, np.ndarray] = {}  # variant index -> its E-values, per its class
        for name, background in backgrounds.items():
            rows = [i for i, kind in enumerate(classes) if kind == name]
            if background is not None and rows:
                found = background.evalues(effects.diff[rows], effects.logfold[rows])
                evalues.update(zip(rows, found, strict=True))
        prioritiser, ranks = self.model.prioritiser, self.model.priority_background
        priorities = prioritiser.priority(effects.logfold, effects.diff) if prioritiser else None
        values = []
        for i, name in enumerate(classes):
            priority = None if priorities is None else float(priorities[i])
            values.append(
                ScoreValues(
                    ref=effects.ref[i],
                    alt=effects.alt[i],
                    diff=effects.diff[i],
                    logfold=effects.logfold[i],
                    evalue=evalues.get(i),
                    priority=priority,
                    rank=None if priority is None or ranks is None else ranks.rank(priority, name),
                )
            )
        return values

    def _effects(self, windows: list[AlleleWindows]) -> VariantEffects:
        """Effects of each variant: its two alleles x two strands x ``k`` frames through the
        model, each distinct window once (``core.effects``)."""
        rows = variant_rows(windows, self.spec)
        return rows.effects(self.model.predict(rows.tokens))


def open_model(settings: Settings, runner: RowRunner | None = None) -> OnnxModel:
    """The model that ``settings`` describe (its calls made by ``runner`` where given, with no
    session of its own)."""
    return OnnxModel(
        settings.model_dir,
        settings.provider,
        settings.batch_rows,
        settings.precision,
        settings.threads,
        settings.tensorrt_cache,
        runner,
    )


def session_openers(settings: Settings, model: OnnxModel) -> list[Callable[[], OnnxModel]]:
    """What opens each session of ``model``'s file that serves worker processes' model calls:
    ``Settings.model_sessions`` of them, unset 2 on a GPU (one call's copies overlap the other's
    kernels) and 1 on the CPU (one call already takes every core)."""
    sessions = settings.model_sessions or (1 if model.provider == CPU else 2)
    return [partial(open_model, settings)] * sessions


def open_engine(settings: Settings, runner: RowRunner | None = None) -> ScoringEngine:
    """The engine that ``settings`` describe: model, reference, allele limit and cache (its
    model calls made by ``runner`` where given, with no session of its own)."""
    model = open_model(settings, runner)
    per_score = held_bytes(len(model.manifest.features), model.gives_evalues)
    capacity = min(settings.cache_capacity, settings.cache_max_bytes // per_score)
    return ScoringEngine(
        model,
        ReferenceGenome(settings.fasta),
        settings.max_allele_length,
        open_cache(settings.redis_url, settings.cache_ttl_seconds, capacity),
    )


def input_fields(parsed: ParsedInput) -> tuple[str | None, int | None, str | None, str | None]:
    """chrom, pos, ref and alt as the user gave them (``None`` where the input had none)."""
    return parsed.chrom, parsed.pos, parsed.ref, parsed.alt
