"""Masked-k-mer language modelling, as LOGO pretrains: 15% of the k-mer tokens of each frame are
chosen (never ``cls``, in a scheme that has one); of those, 80% become ``mask``, 10% a random
k-mer and 10% stay, and the
model predicts the original k-mer at each chosen position. The prediction head is ALBERT's
(dense 256 -> 128, GELU, LayerNorm, then the token embedding transposed as decoder); only the
encoder is kept for fine-tuning.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from core.kmers import ALPHABET, Vocabulary, base_codes, code_tokens
from core.reference import ReferenceGenome
from core.windows import WindowSpec, reverse_reads
from training.batches import training_tokens
from training.data.loader import StepBatches
from training.data.samples import N_CODE, Samples
from training.loop import LoopHistory, LoopSettings, Validation, run_loop
from training.model import LogoConfig, LogoEncoder

MASK_FRACTION = 0.15
IGNORE = -100
MAX_N_FRACTION = 0.5


class MaskedKmerHead(nn.Module):
    def __init__(self, config: LogoConfig, embedding: nn.Embedding) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_dim, config.embedding_dim)
        self.activation = nn.GELU()
        self.norm = nn.LayerNorm(config.embedding_dim, eps=config.norm_eps)
        self.embedding = embedding  # tied decoder weights
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, hidden: Tensor) -> Tensor:  # B T C
        x = self.norm(self.activation(self.dense(hidden)))  # B T E
        logits: Tensor = x @ self.embedding.weight.T + self.bias  # B T V
        return logits


class PretrainingModel(nn.Module):
    """The encoder with the masked-k-mer head; maps a batch (``inputs``, ``targets``) to its
    loss."""

    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.encoder = LogoEncoder(config)
        self.head = MaskedKmerHead(config, self.encoder.token_embedding)

    def logits(self, tokens: Tensor, chosen: Tensor) -> Tensor:
        """Logits over the vocabulary ``(M, V)`` at the ``M`` positions where the boolean
        ``chosen`` ``(B, T)`` is set: the decoder runs only where there is a target, which
        saves the 256 x 3129 product at the other 85% of positions."""
        return self.head(self.encoder(tokens)[chosen])  # type: ignore[no-any-return]

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        targets = batch["targets"]
        chosen = targets != IGNORE
        logits = self.logits(batch["inputs"], chosen).float()  # M V
        return nn.functional.cross_entropy(logits, targets[chosen])


def mask_tokens(
    tokens: NDArray[np.int64], rng: np.random.Generator, vocabulary: Vocabulary
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Inputs with 15% of k-mer positions masked (80/10/10), and targets (-100 elsewhere)."""
    chosen = rng.random(tokens.shape) < MASK_FRACTION  # B T
    if vocabulary.cls:
        chosen[:, 0] = False
    targets = np.where(chosen, tokens, IGNORE)
    action = rng.random(tokens.shape)
    inputs = tokens.copy()
    inputs[chosen & (action < 0.8)] = vocabulary.mask_id
    random_positions = chosen & (action >= 0.8) & (action < 0.9)
    first = vocabulary.first_kmer_id
    inputs[random_positions] = rng.integers(
        first, first + len(ALPHABET) ** vocabulary.k, size=int(random_positions.sum())
    )
    return inputs, targets


@dataclass(frozen=True)
class SampleWindows:
    """Pretraining reads: windows of a prepared split, one random strand and frame each."""

    samples: Samples
    batch_size: int

    def __call__(self, rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
        indices = rng.integers(0, len(self.samples), size=self.batch_size)
        tokens = training_tokens(self.samples, indices, rng).tokens  # B T
        inputs, targets = mask_tokens(tokens, rng, self.samples.spec.vocabulary)
        return {"inputs": inputs, "targets": targets}


@dataclass(frozen=True)
class GenomeWindows:
    """Pretraining reads sampled from a whole genome, as LOGO pretrained on hg19: a contig
    drawn in proportion to its length, a uniform window start on it, one random strand and
    frame; windows more than half N are drawn again. The FASTA is opened in each worker."""

    fasta: Path
    contigs: tuple[str, ...]
    spec: WindowSpec
    batch_size: int

    def __call__(self, rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
        reference = _open_reference(self.fasta)
        spans = [reference.spans[c] for c in self.contigs]
        lengths = np.array([s.end - s.start - self.spec.fetched_length for s in spans], dtype=float)
        weights = np.clip(lengths, 0, None) / np.clip(lengths, 0, None).sum()
        reads: list[NDArray[np.uint8]] = []
        while len(reads) < self.batch_size:
            span = spans[int(rng.choice(len(spans), p=weights))]
            start = int(rng.integers(span.start, span.end - self.spec.fetched_length + 1))
            codes = base_codes(
                self.spec.padded(
                    reference.fetch(span.name, start, start + self.spec.fetched_length)
                )
            )
            if (codes == N_CODE).sum() <= MAX_N_FRACTION * self.spec.fetched_length:
                reads.append(codes)
        codes = np.stack(reads)
        strands = rng.integers(0, 2, size=len(codes))
        codes[strands == 1] = reverse_reads(codes[strands == 1], self.spec)
        vocabulary = self.spec.vocabulary
        tokens = code_tokens(codes, self.spec.length, vocabulary)
        frames = rng.integers(0, self.spec.k, size=len(codes))
        inputs, targets = mask_tokens(tokens[np.arange(len(codes)), frames], rng, vocabulary)
        return {"inputs": inputs, "targets": targets}


_REFERENCES: dict[Path, ReferenceGenome] = {}


def _open_reference(fasta: Path) -> ReferenceGenome:
    """One open FASTA per process (data-loader workers each open their own)."""
    if fasta not in _REFERENCES:
        _REFERENCES[fasta] = ReferenceGenome(fasta)
    return _REFERENCES[fasta]


def masked_validation(samples: Samples, batch_size: int, batches: int = 8) -> Validation:
    """Masked-k-mer loss on fixed batches of ``samples`` (the same masks at every validation)."""
    draw = SampleWindows(samples, batch_size)
    fixed = [draw(np.random.default_rng([1, i])) for i in range(batches)]

    def loss(module: nn.Module) -> float:
        device = next(module.parameters()).device
        losses = [
            float(module({k: torch.from_numpy(v).to(device) for k, v in batch.items()}))
            for batch in fixed
        ]
        return float(np.mean(losses))

    return loss


def pretrain(
    model: PretrainingModel,
    draw: SampleWindows | GenomeWindows,
    settings: LoopSettings,
    state_path: Path | None = None,
    resume: bool = False,
    validation: Validation | None = None,
    rank: int = 0,
) -> LoopHistory:
    """Masked-k-mer training on the reads of ``draw``."""
    batches = StepBatches(draw, settings.seed, rank, settings.accumulate)
    return run_loop(model, batches, settings, state_path, resume, "pretraining", validation)
