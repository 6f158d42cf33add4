"""Masked-k-mer language modelling, as LOGO pretrains: 15% of the k-mer tokens of each frame are
chosen (never ``cls``); of those, 80% become ``mask``, 10% a random k-mer and 10% stay, and the
model predicts the original k-mer at each chosen position. The prediction head is ALBERT's
(dense 256 -> 128, GELU, LayerNorm, then the token embedding transposed as decoder); only the
encoder is kept for fine-tuning.
"""

from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from core.kmers import MASK, SPECIAL_TOKENS
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.batches import training_tokens
from training.data.samples import Samples
from training.device import device_of
from training.loop import LoopHistory, LoopSettings, run_loop
from training.model import LogoConfig, LogoEncoder

MASK_FRACTION = 0.15
IGNORE = -100


class MaskedKmerHead(nn.Module):
    def __init__(self, config: LogoConfig, embedding: nn.Embedding) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_dim, config.embedding_dim)
        self.activation = nn.GELU()
        self.norm = nn.LayerNorm(config.embedding_dim)
        self.embedding = embedding  # tied decoder weights
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, hidden: Tensor) -> Tensor:  # B T C
        x = self.norm(self.activation(self.dense(hidden)))  # B T E
        logits: Tensor = x @ self.embedding.weight.T + self.bias  # B T V
        return logits


class PretrainingModel(nn.Module):
    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.encoder = LogoEncoder(config)
        self.head = MaskedKmerHead(config, self.encoder.token_embedding)

    def forward(self, tokens: Tensor, chosen: Tensor) -> Tensor:
        """Logits over the vocabulary ``(M, V)`` at the ``M`` positions where the boolean
        ``chosen`` ``(B, T)`` is set: the decoder runs only where there is a target, which
        saves the 256 x 3129 product at the other 85% of positions."""
        return self.head(self.encoder(tokens)[chosen])  # type: ignore[no-any-return]


def mask_tokens(
    tokens: NDArray[np.int64], rng: np.random.Generator, vocab_size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Inputs with 15% of k-mer positions masked (80/10/10), and targets (-100 elsewhere)."""
    chosen = rng.random(tokens.shape) < MASK_FRACTION  # B T
    chosen[:, 0] = False  # cls
    targets = np.where(chosen, tokens, IGNORE)
    action = rng.random(tokens.shape)
    inputs = tokens.copy()
    inputs[chosen & (action < 0.8)] = MASK
    random_positions = chosen & (action >= 0.8) & (action < 0.9)
    inputs[random_positions] = rng.integers(
        len(SPECIAL_TOKENS), vocab_size, size=int(random_positions.sum())
    )
    return inputs, targets


def pretrain(
    model: PretrainingModel,
    reference: ReferenceGenome,
    samples: Samples,
    spec: WindowSpec,
    settings: LoopSettings,
    batch_size: int = 32,
    state_path: Path | None = None,
    resume: bool = False,
) -> LoopHistory:
    """Masked-k-mer training on windows of ``samples``, random strand and frame each."""
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORE)
    vocab_size = model.encoder.config.vocab_size

    def batch_loss(rng: np.random.Generator) -> Tensor:
        indices = rng.integers(0, len(samples), size=batch_size)
        tokens = training_tokens(reference, samples, indices, spec, rng).tokens  # B T
        inputs, targets = mask_tokens(tokens, rng, vocab_size)
        device = device_of(model)
        targets_tensor = torch.from_numpy(targets).to(device)  # B T
        chosen = targets_tensor != IGNORE
        logits = model(torch.from_numpy(inputs).to(device), chosen)  # M V
        return loss_function(logits, targets_tensor[chosen])  # type: ignore[no-any-return]

    return run_loop(model, batch_loss, settings, state_path, resume, "pretraining")
