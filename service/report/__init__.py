"""The HTML report of a run: provenance, counts, priority percentiles, top variants, effects
along each chromosome; one self-contained page."""
