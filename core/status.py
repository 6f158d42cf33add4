"""Per-variant outcome of scoring: every input variant comes back with exactly one status."""

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
