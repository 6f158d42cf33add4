"""NDJSON: a first line naming the model and reference, one line per input ALT (the JSON
response's ``results`` items), and a last line with the status counts and warnings."""

import json

from core.vcf import VcfRecord
from service.outputs.provenance import Provenance
from service.results import variant_result
from service.scoring.scores import VariantScore
from service.selection import ResultView


class NdjsonWriter:
    def __init__(self, view: ResultView, provenance: Provenance) -> None:
        self.view = view
        self.provenance = provenance

    def header(self, warnings: list[str]) -> str:
        head = {
            "model": self.provenance.model.model_dump(),
            "reference": self.provenance.reference.model_dump(),
        }
        return json.dumps(head) + "\n"

    def record(self, record: VcfRecord, scores: list[VariantScore]) -> str:
        return "".join(variant_result(s, self.view).model_dump_json() + "\n" for s in scores)

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str:
        return json.dumps({"summary": summary, "warnings": warnings}) + "\n"
