"""TSV output: one row per input ALT; per feature, ref/alt probability, diff and logfold."""

from collections.abc import Iterable
from typing import TextIO

from service.engine import VariantScore, input_fields

_VALUES = ("ref", "alt", "diff", "logfold", "evalue")


def tsv_header(feature_names: list[str]) -> str:
    columns = ["chrom", "pos", "id", "ref", "alt", "status", "message", "priority"]
    columns += [f"{name}.{value}" for name in feature_names for value in _VALUES]
    return "\t".join(columns) + "\n"


def tsv_row(score: VariantScore, feature_count: int) -> str:
    chrom, pos, ref, alt = input_fields(score.parsed)
    cells = [
        chrom or "",
        "" if pos is None else str(pos),
        score.parsed.origin.record_id or ".",
        ref or "",
        alt or "",
    ]
    priority = "" if score.priority is None else f"{score.priority:.6g}"
    cells += [score.status.value, (score.message or "").replace("\t", " "), priority]
    arrays = (score.ref, score.alt, score.diff, score.logfold, score.evalue)
    for i in range(feature_count):
        cells += ["" if array is None else f"{array[i]:.6g}" for array in arrays]
    return "\t".join(cells) + "\n"


def write_tsv(scores: Iterable[VariantScore], feature_names: list[str], out: TextIO) -> None:
    for score in scores:
        out.write(tsv_row(score, len(feature_names)))
