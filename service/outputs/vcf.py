"""The annotated VCF: every input header line, column and sample kept, and per ALT the INFO
fields declared in the header:

- ``LOGO_STATUS`` (status), ``LOGO_MESSAGE`` (what to do, readable: spaces kept, as VCF 4.3
  allows in INFO values; only ``% ; = ,`` and line breaks percent-encoded),
- ``LOGO_PRIORITY`` (the prioritiser's score, ``core.calibration.PRIORITY_DESCRIPTION``),
  ``LOGO_PRIORITY_PCT`` and ``LOGO_PRIORITY_PHRED`` (its rank), ``LOGO_NORM`` (normalised
  ``POS:REF:ALT``),
- ``LOGO_TOP``: the ``top_k`` (default 3) reported features by |logfold|, as
  ``feature:logfold`` joined by ``|``,
- ``LOGO_MAXDIFF_<group>``, ``LOGO_MINE_<group>`` and ``LOGO_GROUPE_<group>``: per reported
  feature group, its largest |diff|, smallest E-value, and that Bonferroni-corrected.

All are ``Number=A``: one value per ALT, ``.`` where an ALT has none. LOGO_* fields already in
the input (a file annotated before) are replaced. A line that is not a VCF record at all
(``VcfRecord.malformed``) cannot be written back as one: it is left out of this output only,
and ``service.outputs.render`` reports it with its line number (a warning in the header, or on the
CLI's stderr). A record whose ALT is ``.`` has no ALT to
annotate and is written as it was.
"""

import re

from core.calibration import PRIORITY_DESCRIPTION
from core.vcf import VcfRecord
from service.outputs.provenance import Provenance
from service.results import group_summaries
from service.scoring.scores import VariantScore
from service.selection import ResultView
from service.summary_line import summary_line

PRIORITY_TAG = "LOGO_PRIORITY"
DEFAULT_TOP = 3
_FIXED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_UNSAFE = re.compile(r"[%;=,:|\s]")
_INFO_SPECIAL = re.compile(r"[%;=,\t\r\n]")


def _encode(text: str) -> str:
    """Percent-encode the characters a VCF INFO value may not hold (and our separators)."""
    return _UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", text)


def _readable(text: str) -> str:
    """A message as an INFO value: VCF 4.3's special characters percent-encoded, spaces and
    punctuation kept, so that ``bcftools query -f '%INFO/LOGO_MESSAGE'`` prints a sentence."""
    return _INFO_SPECIAL.sub(lambda match: f"%{ord(match.group()):02X}", text)


def _tag(group: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.]", "_", group)


def _value(value: float | None) -> str:
    return "." if value is None else f"{value:.4g}"


class VcfWriter:
    def __init__(self, view: ResultView, provenance: Provenance, input_header: list[str]) -> None:
        self.view = view
        self.provenance = provenance
        self.input_header = input_header
        self.top = view.top_k or DEFAULT_TOP
        self.fields = self._fields()

    def header(self, warnings: list[str]) -> str:
        meta = [
            line
            for line in self.input_header[:-1]
            if not line.startswith(("##INFO=<ID=LOGO_", "##logoscore_"))
        ]
        columns = self.input_header[-1].split("\t")
        if len(columns) < len(_FIXED_COLUMNS):
            columns = list(_FIXED_COLUMNS)
        meta += [f"##logoscore_{line.replace(': ', '=', 1)}" for line in self.provenance.lines()]
        meta += [f"##logoscore_warning={' '.join(w.split())}" for w in warnings]
        meta += [self._info_line(tag, kind, text) for tag, kind, text in self.fields]
        return "\n".join([*meta, "\t".join(columns)]) + "\n"

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str:
        """Nothing: a VCF cannot hold lines after its records (warnings go in ``header``)."""
        return ""

    def record(self, record: VcfRecord, scores: list[VariantScore]) -> str:
        """The record's line with its INFO annotated; empty for a malformed line."""
        if record.malformed:
            return ""
        columns = record.text.split("\t")
        columns += ["."] * (len(_FIXED_COLUMNS) - len(columns))
        if columns[4] == ".":
            return "\t".join(columns) + "\n"
        kept = [
            item
            for item in columns[7].split(";")
            if item and item != "." and not item.startswith("LOGO_")
        ]
        columns[7] = ";".join(kept + self._annotations(scores))
        return "\t".join(columns) + "\n"

    def _fields(self) -> list[tuple[str, str, str]]:
        fields = [
            ("LOGO_STATUS", "String", "logoscore status of each ALT (scored, ref_mismatch, ...)"),
            (
                "LOGO_MESSAGE",
                "String",
                "what to do about an ALT that was not scored (percent-encoded)",
            ),
            ("LOGO_SUMMARY", "String", "one line to read first (percent-encoded , ; = %)"),
            (PRIORITY_TAG, "Float", PRIORITY_DESCRIPTION),
            (
                "LOGO_PRIORITY_PCT",
                "Float",
                "priority_percentile: share (0-100) of background variants of the same class "
                "with a lower priority",
            ),
            (
                "LOGO_PRIORITY_PHRED",
                "Float",
                "priority_phred: -10 log10 of the share of background variants at or above",
            ),
            ("LOGO_NORM", "String", "the ALT normalised against the reference, POS:REF:ALT"),
            (
                "LOGO_TOP",
                "String",
                f"top {self.top} features by |logfold|, feature:logfold joined by |",
            ),
        ]
        for group in self.view.selected_groups:
            fields.append(
                (f"LOGO_MAXDIFF_{_tag(group)}", "Float", f"largest |diff| among {group} features")
            )
            fields.append(
                (
                    f"LOGO_MINE_{_tag(group)}",
                    "Float",
                    f"smallest E-value among {group} features, uncorrected",
                )
            )
            fields.append(
                (
                    f"LOGO_GROUPE_{_tag(group)}",
                    "Float",
                    f"E-value of the {group} group: the smallest Bonferroni-corrected for the "
                    "number of its features",
                )
            )
        return fields

    def _info_line(self, tag: str, kind: str, text: str) -> str:
        return f'##INFO=<ID={tag},Number=A,Type={kind},Description="{text}">'

    def _annotations(self, scores: list[VariantScore]) -> list[str]:
        per_alt: list[list[str]] = [self._alt_values(score) for score in scores]
        tags = [tag for tag, _, _ in self.fields]
        return [f"{tag}={','.join(values[i] for values in per_alt)}" for i, tag in enumerate(tags)]

    def _alt_values(self, score: VariantScore) -> list[str]:
        normalized, scored = score.normalized, score.values
        rank = None if scored is None else scored.rank
        top = (
            "|".join(
                f"{_encode(self.view.names[i])}:{scored.logfold[i]:.4g}"
                for i in self.view.ranked(scored.logfold)[: self.top]
            )
            if scored is not None
            else "."
        )
        values = [
            score.status.value,
            _readable(score.message) if score.message else ".",
            _readable(line) if (line := summary_line(score, self.view)) else ".",
            _value(None if scored is None else scored.priority),
            _value(None if rank is None else rank.percentile),
            _value(None if rank is None else rank.phred),
            "." if normalized is None else f"{normalized.pos}:{normalized.ref}:{normalized.alt}",
            top or ".",
        ]
        summaries = {s.group: s for s in group_summaries(score, self.view)}
        for group in self.view.selected_groups:
            summary = summaries.get(group)
            values.append(_value(None if summary is None else summary.max_abs_diff))
            values.append(_value(None if summary is None else summary.min_evalue))
            values.append(_value(None if summary is None else summary.evalue))
        return values
