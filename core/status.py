"""Per-variant outcome of scoring: every input variant comes back with exactly one status; and
the tally of a whole input, with its warning when REF rarely matches the reference."""

from collections import Counter
from enum import StrEnum


class Status(StrEnum):
    """Why a variant was or was not scored."""

    SCORED = "scored"
    REF_MISMATCH = "ref_mismatch"
    UNKNOWN_CONTIG = "unknown_contig"
    OUT_OF_BOUNDS = "out_of_bounds"
    UNSUPPORTED_ALLELE = "unsupported_allele"
    TOO_LONG = "too_long"
    INVALID = "invalid"


MIN_REF_MATCH = 0.9
"""Below this share of REF matches among the variants compared, an input is probably on another
assembly than the model's."""
MIN_COMPARED = 10
"""Variants whose REF was compared before an input is called another assembly's: one typo among
three variants is a typo."""
MIN_SCORED_SHARE = 0.5
"""Below this share of scored variants, an input gets a warning saying so."""

_COMPARED = (Status.SCORED, Status.REF_MISMATCH)
"""Statuses given after REF was compared with the reference (a scored variant's matched)."""


class StatusTally:
    """Counts of statuses over one input (a request, an upload, a file)."""

    def __init__(self) -> None:
        self.counts: Counter[Status] = Counter()

    def add(self, status: Status) -> None:
        self.counts[status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> dict[str, int]:
        """Count per status, every status listed, in ``Status`` order."""
        return {status.value: self.counts[status] for status in Status}

    @classmethod
    def of(cls, counts: dict[str, int]) -> "StatusTally":
        """The tally of ``counts`` (status value -> count, as ``summary`` gives them)."""
        tally = cls()
        tally.counts.update({Status(status): count for status, count in counts.items()})
        return tally

    def warnings(self, assembly: str) -> list[str]:
        """A warning naming the likely wrong assembly when REF matched the reference for fewer
        than ``MIN_REF_MATCH`` of at least ``MIN_COMPARED`` variants whose REF was compared,
        and one when fewer than ``MIN_SCORED_SHARE`` of the variants were scored."""
        compared = sum(self.counts[status] for status in _COMPARED)
        matched = self.counts[Status.SCORED]
        warnings = []
        if compared >= MIN_COMPARED and matched < MIN_REF_MATCH * compared:
            warnings.append(
                f"REF matches the reference for only {matched} of {compared} variants "
                f"({matched / compared:.0%}); the input is probably not on {assembly}, the "
                f"model's assembly (GRCh38 or hg38 perhaps): lift it over to {assembly} or score "
                "it with a model and reference of its own assembly"
            )
        if self.total and matched < MIN_SCORED_SHARE * self.total:
            others = ", ".join(
                f"{count} {status.value}"
                for status, count in self.counts.items()
                if status is not Status.SCORED and count
            )
            warnings.append(
                f"only {matched} of {self.total} variants were scored ({others}); each result's "
                "message says why and what to do"
            )
        return warnings
