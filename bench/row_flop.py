"""The arithmetic of one model row (one reading frame of one strand of one allele), for the
fraction of a device's peak a measured rate reaches."""

EMBEDDING, HIDDEN, FFN, APPLICATIONS = 128, 256, 1024, 2
"""LOGO's dimensions (``training.model.LogoConfig`` defaults), for the FLOP count."""


def flop_per_row(tokens: int, last_queries: int | None = None) -> float:
    """Multiply-adds x 2 of one row: the embedding projection, then per block application the
    Q/K/V/O projections, the two attention products and the FFN, the last application for
    ``last_queries`` tokens (all of them by default; 1 where only ``cls`` is read)."""
    queries = tokens if last_queries is None else last_queries

    def block(rows: int) -> int:  # rows: the tokens whose queries, output and FFN are computed
        keys_values = 2 * tokens * HIDDEN * HIDDEN
        per_query = 2 * HIDDEN * HIDDEN + 2 * tokens * HIDDEN + 2 * HIDDEN * FFN
        return keys_values + rows * per_query

    blocks = (APPLICATIONS - 1) * block(tokens) + block(queries)
    return 2.0 * (tokens * EMBEDDING * HIDDEN + blocks)
