"""How many features a picture draws: the defaults and the most (no matplotlib here, so that
parsers and schemas can name them without loading it)."""

DEFAULT_FEATURES_DRAWN = 4
"""Features of a mutagenesis map when none are asked for: the strongest in the region."""
MAX_FEATURES_DRAWN = 8
"""Features of a mutagenesis map at most."""
DEFAULT_FEATURES_PLOTTED = 12
"""Features of one variant's picture by default: those with the largest |logfold|."""
MAX_FEATURES_PLOTTED = 40
"""Features of one variant's picture at most."""
