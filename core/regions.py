"""Region text, samtools style: ``CONTIG:START-END``, 1-based and inclusive, commas allowed."""

import re

_REGION = re.compile(r"^(?P<contig>.+):(?P<start>[\d,]+)-(?P<end>[\d,]+)$")


def parse_region(text: str) -> tuple[str, int, int]:
    """``(contig, start, end)``, 1-based inclusive, from ``CONTIG:START-END``."""
    match = _REGION.match(text.strip())
    if match is None:
        raise ValueError(
            f"cannot read {text!r} as a region; write CONTIG:START-END, e.g. 20:1-1000"
        )
    start, end = int(match["start"].replace(",", "")), int(match["end"].replace(",", ""))
    if not 1 <= start <= end:
        raise ValueError(f"region {text!r} must have 1 <= START <= END")
    return match["contig"], start, end
