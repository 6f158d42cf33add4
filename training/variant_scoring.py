"""Score SNVs with a torch model exactly as the service does with ONNX: core windows, both
strands, every frame, DeepSEA diff and logfold (``core.effects``, ``core.scoring``)."""

import numpy as np
import torch

from core.effects import variant_rows
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from core.windows import WindowSpec, allele_windows
from training.device import device_of
from training.model import LogoModel


@torch.no_grad()
def score_variants(
    model: LogoModel,
    reference: ReferenceGenome,
    contig: str,
    variants: list[tuple[int, str, str]],
    spec: WindowSpec,
    batch_variants: int = 16,
) -> VariantEffects:
    """Effects ``(V, N)`` of ``(pos, ref, alt)`` variants (1-based ``pos``, REF matching)."""
    model.eval()
    windows = [allele_windows(reference, contig, pos, ref, alt, spec) for pos, ref, alt in variants]
    rows = variant_rows(windows, spec)
    batch_rows = batch_variants * 2 * 2 * spec.k
    probabilities = [
        model.probabilities(torch.from_numpy(rows.tokens[i : i + batch_rows]).to(device_of(model)))
        .cpu()
        .numpy()
        for i in range(0, len(rows.tokens), batch_rows)
    ]  # R N
    return rows.effects(np.concatenate(probabilities))
