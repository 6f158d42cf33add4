"""Score SNVs with a torch model exactly as the service does with ONNX: core windows, both
strands, every frame, DeepSEA diff and logfold (``core.scoring``)."""

import numpy as np
import torch
from numpy.typing import NDArray

from core.kmers import batch_tokens
from core.reference import ReferenceGenome
from core.scoring import VariantEffects, variant_effects
from core.windows import WindowSpec, allele_windows, reverse_complement
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
    probabilities: list[NDArray[np.float32]] = []
    for offset in range(0, len(variants), batch_variants):
        chunk = variants[offset : offset + batch_variants]
        sequences = []
        for pos, ref, alt in chunk:
            windows = allele_windows(reference, contig, pos, ref, alt, spec)
            for allele in (windows.ref, windows.alt):
                sequences += [allele, reverse_complement(allele)]  # ordered allele, strand
        tokens = batch_tokens(sequences, spec.length, spec.k)  # V*A*S F T
        rows = torch.from_numpy(tokens.reshape(-1, tokens.shape[-1]))  # V*A*S*F T
        p = model.probabilities(rows.to(device_of(model))).cpu().numpy()  # V*A*S*F N
        probabilities.append(p.reshape(len(chunk), 2, 2, spec.k, -1))  # V A S F N
    return variant_effects(np.concatenate(probabilities))
