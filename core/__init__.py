"""Shared, framework-free core of logoscore: used by training and serving alike.

Canonical forms, written down once:

- ``Variant`` (``core.variants``): VCF semantics. ``chrom`` as given by the user, ``pos`` 1-based
  position of the first base of ``ref``, ``ref``/``alt`` upper-case strings over ``ACGTN``.
  Every ALT of an input record is its own ``Variant``; ``origin`` points back to that record.
- A window (``core.windows``): 0-based half-open ``[start, end)`` on the reference contig, in the
  contig's true coordinates. The variant's first base sits at 0-based index ``length // 2 - 1``
  of the window (index 499 for the 1000 bp LOGO/DeepSEA window). A window is read as
  ``length + k - 1`` bases so that each of the ``k`` reading frames holds ``length // k`` whole
  k-mers.
- Tokens (``core.kmers``): ``np.int64``; one sequence gives shape ``(F, T)`` with ``F = k`` frames
  and ``T = 1 + length // k`` tokens per frame (a ``cls`` token, then the frame's k-mers);
  batched ``(B, F, T)``. This is exactly what the model reads, in training and in serving.
- Probabilities (``core.scoring``): ``(V, A, S, F, N)`` = variants x alleles (ref, alt) x strands
  (forward, reverse complement) x frames x features.

``core`` imports only numpy, pyfaidx and cyvcf2: never torch, onnxruntime or fastapi.
"""
