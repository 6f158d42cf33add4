"""TSV: one row per input ALT. Columns: the input as given, where it came from, status and
message, the normalised alleles, priority, per reported group its max |diff| and min E-value,
then per reported feature ``ref``, ``alt``, ``diff``, ``logfold``, ``evalue``. Lines starting
with ``#`` name the model and reference (first) and give the status counts and warnings
(last)."""

import numpy as np

from core.calibration import PRIORITY_DESCRIPTION
from core.vcf import VcfRecord
from service.outputs.provenance import Provenance
from service.results import group_summaries
from service.scoring.engine import input_fields
from service.scoring.scores import ScoreValues, VariantScore
from service.selection import ResultView
from service.summary_line import summary_line

_VALUES = ("ref", "alt", "diff", "logfold", "evalue")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


class TsvWriter:
    def __init__(self, view: ResultView, provenance: Provenance) -> None:
        self.view = view
        self.provenance = provenance
        self._patterns: dict[tuple[bool, ...], str] = {}
        """``_feature_cells``' format, by which of the value arrays are present."""

    def header(self, warnings: list[str]) -> str:
        columns = ["chrom", "pos", "id", "ref", "alt", "record", "alt_index", "line"]
        columns += ["status", "message", "norm_pos", "norm_ref", "norm_alt", "summary", "priority"]
        columns += ["priority_percentile", "priority_phred"]
        columns += [
            f"{g}.{v}"
            for g in self.view.selected_groups
            for v in ("max_abs_diff", "min_evalue", "evalue")
        ]
        columns += [f"{self.view.names[i]}.{v}" for i in self.view.selected for v in _VALUES]
        return (
            "".join(f"# {line}\n" for line in self.provenance.lines())
            + f"# priority: {PRIORITY_DESCRIPTION}\n"
            + "\t".join(columns)
            + "\n"
        )

    def record(self, record: VcfRecord, scores: list[VariantScore]) -> str:
        return "".join(self._row(score) for score in scores)

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str:
        counts = ", ".join(f"{status} {count}" for status, count in summary.items())
        return f"# summary: {counts}\n" + "".join(f"# warning: {w}\n" for w in warnings)

    def _row(self, score: VariantScore) -> str:
        chrom, pos, ref, alt = input_fields(score.parsed)
        origin = score.parsed.origin
        normalized = score.normalized
        rank = None if score.values is None else score.values.rank
        cells = [
            chrom or "",
            "" if pos is None else str(pos),
            origin.record_id or ".",
            ref or "",
            alt or "",
            str(origin.record),
            str(origin.alt_index),
            "" if origin.line is None else str(origin.line),
            score.status.value,
            _clean(score.message or ""),
            "" if normalized is None else str(normalized.pos),
            "" if normalized is None else normalized.ref,
            "" if normalized is None else normalized.alt,
            _clean(summary_line(score, self.view) or ""),
            _number(None if score.values is None else score.values.priority),
            _number(None if rank is None else rank.percentile),
            _number(None if rank is None else rank.phred),
        ]
        summaries = {s.group: s for s in group_summaries(score, self.view)}
        for group in self.view.selected_groups:
            summary = summaries.get(group)
            cells += [
                _number(None if summary is None else summary.max_abs_diff),
                _number(None if summary is None else summary.min_evalue),
                _number(None if summary is None else summary.evalue),
            ]
        if self.view.selected:
            cells.append(self._feature_cells(score.values))
        return "\t".join(cells) + "\n"

    def _feature_cells(self, values: ScoreValues | None) -> str:
        """The reported features' ``_VALUES`` cells, tab-separated, in one ``%`` formatting
        (``%.6g`` is ``_number``'s text; a missing array's cells are empty): a model with a
        thousand features has 5,000 of them a row."""
        arrays = (
            (None,) * len(_VALUES)
            if values is None
            else (values.ref, values.alt, values.diff, values.logfold, values.evalue)
        )
        present = tuple(array is not None for array in arrays)
        pattern = self._patterns.get(present)
        if pattern is None:
            cell = "\t".join("%.6g" if there else "" for there in present)
            pattern = self._patterns[present] = "\t".join([cell] * len(self.view.selected))
        given = [array for array in arrays if array is not None]
        if not given:
            return pattern
        numbers = np.stack(given)[:, self.view.selected]  # present values x features
        return pattern % tuple(numbers.T.ravel().tolist())


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ")
