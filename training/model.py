"""The LOGO model (Yang et al., NAR 2022, 50(14):e81) in PyTorch: a small ALBERT.

k-mer token embedding (128) + learned positions (512 x 128), LayerNorm, a 128 -> 256 projection,
one post-LayerNorm transformer block (8 heads, FFN 1024, GELU) applied twice with shared weights,
and a head on the first (``cls``) token: one logit per chromatin feature. The head may also read
the mean of all hidden states (``head_input="cls+mean"``, set by ``training.head_refit``). Input
tokens are one reading frame, shape ``(B, T)`` (``core.kmers``); the sigmoid is applied by
``probabilities``, which is what gets exported to ONNX. A ``cls`` head reads one token's hidden
state, so the last block application computes that token's alone (``LogoEncoder.forward``).
"""

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from core.kmers import ALPHABET, PAD, SPECIAL_TOKENS

HEAD_INPUTS = ("cls", "cls+mean")


def cls_and_mean(hidden: Tensor) -> Tensor:
    """``[cls, mean of all hidden states]`` of hidden states ``(B, T, C)``: ``(B, 2C)``."""
    return torch.cat([hidden[:, 0], hidden.mean(dim=1)], dim=-1)


@dataclass(frozen=True)
class LogoConfig:
    vocab_size: int
    outputs: int
    embedding_dim: int = 128
    hidden_dim: int = 256
    heads: int = 8
    ffn_dim: int = 1024
    block_applications: int = 2
    max_positions: int = 512
    dropout: float = 0.0
    """LOGO's own pretraining and fine-tuning configs set attention and hidden dropout to 0
    (melobio/LOGO, ``02_train_gene_transformer_lm_hg_bert4keras_tfrecord.py``); on a few
    thousand CPU steps the model underfits, so dropout only slows learning."""

    head_input: str = "cls"
    """What the chromatin head reads: ``cls``, the first token's hidden state (LOGO's head: in
    LOGO's own tokenisation that token is the first k-mer), or ``cls+mean``, that concatenated
    with the mean of all hidden states (``training.head_refit``)."""
    norm_eps: float = 1e-5
    """Layer-norm epsilon: torch's default here; LOGO's bert4keras models use 1e-12."""
    shared_blocks: bool = True
    """ALBERT (one block applied ``block_applications`` times, LOGO-919) or BERT (that many
    blocks of their own, LOGO's pretrained hg19 model)."""

    def __post_init__(self) -> None:
        if self.head_input not in HEAD_INPUTS:
            raise ValueError(
                f"head_input {self.head_input!r} is not one of {', '.join(HEAD_INPUTS)}; "
                "use one of those"
            )

    @property
    def head_width(self) -> int:
        return self.hidden_dim * (2 if self.head_input == "cls+mean" else 1)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


INIT_STD = 0.02


def init_weights(module: nn.Module) -> None:
    """BERT/ALBERT initialisation: N(0, 0.02) weights, zero biases, unit LayerNorm."""
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, std=INIT_STD)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
    if isinstance(module, nn.Embedding) and module.padding_idx is not None:
        nn.init.zeros_(module.weight[module.padding_idx])
    if isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


COMPOSITION_SCALE = 0.2


def composition_init_(weight: Tensor) -> None:
    """Start each k-mer's embedding from its bases: dimension ``4i + b`` is ``COMPOSITION_SCALE``
    when base ``i`` of the k-mer is ``b`` (A, C, G, T; N sets none), on top of the N(0, 0.02)
    initialisation.

    A k-mer token is otherwise an opaque id, and a motif spread over three or four tokens in any
    of five frames and two strands must be learned id by id from a few hundred examples. With
    the bases linearly readable from the start, a position weight matrix is a linear function of
    the embeddings and is learned in a few thousand steps (issue 3: the motif-breaking check
    stayed at AUROC 0.5 after 900 steps from the plain initialisation). Only the starting point
    changes: the architecture, parameter count and exported graph are LOGO's.
    """
    vocab_size, dim = weight.shape
    kmers = vocab_size - len(SPECIAL_TOKENS)
    k = round(math.log(kmers, len(ALPHABET))) if kmers > 0 else 0
    if k < 1 or len(ALPHABET) ** k != kmers or 4 * k > dim:
        return  # not a k-mer vocabulary (tests use small ones)
    ids = torch.arange(kmers)
    for i in range(k):
        base = (ids // len(ALPHABET) ** (k - 1 - i)) % len(ALPHABET)  # 0-3 ACGT, 4 N
        known = base < 4
        weight[len(SPECIAL_TOKENS) + ids[known], 4 * i + base[known]] += COMPOSITION_SCALE


class SelfAttention(nn.Module):
    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.head_dim = config.hidden_dim // config.heads
        self.query = nn.Linear(config.hidden_dim, config.hidden_dim)
        self.key = nn.Linear(config.hidden_dim, config.hidden_dim)
        self.value = nn.Linear(config.hidden_dim, config.hidden_dim)
        self.output = nn.Linear(config.hidden_dim, config.hidden_dim)
        self.dropout = nn.Dropout(config.dropout)

    def _split(self, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        return x.view(batch, length, self.heads, self.head_dim).transpose(1, 2)  # B H T D

    def forward(self, x: Tensor, queries: Tensor | None = None) -> Tensor:  # B T C
        """Every token of ``x`` attending to all of ``x``; or, given ``queries`` ``(B, Q, C)``,
        those alone (keys and values still from all of ``x``): ``(B, Q, C)``."""
        queries = x if queries is None else queries
        batch, length, channels = queries.shape
        q, k, v = (
            self._split(self.query(queries)),
            self._split(self.key(x)),
            self._split(self.value(x)),
        )
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # B H Q T
        weights = self.dropout(torch.softmax(scores, dim=-1))
        context = (weights @ v).transpose(1, 2).reshape(batch, length, channels)  # B Q C
        return self.output(context)  # type: ignore[no-any-return]


class TransformerBlock(nn.Module):
    """One post-LayerNorm encoder block, as in BERT/ALBERT."""

    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.attention = SelfAttention(config)
        self.attention_norm = nn.LayerNorm(config.hidden_dim, eps=config.norm_eps)
        self.ffn = nn.Sequential(
            nn.Linear(config.hidden_dim, config.ffn_dim),
            nn.GELU(),
            nn.Linear(config.ffn_dim, config.hidden_dim),
        )
        self.ffn_norm = nn.LayerNorm(config.hidden_dim, eps=config.norm_eps)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: Tensor, first_only: bool = False) -> Tensor:  # B T C
        """Hidden states ``(B, T, C)``; with ``first_only``, the first token's alone ``(B, 1, C)``,
        the same numbers: it still attends to every token of ``x``."""
        queries = x[:, :1] if first_only else x
        x = self.attention_norm(queries + self.dropout(self.attention(x, queries)))
        return self.ffn_norm(x + self.dropout(self.ffn(x)))  # type: ignore[no-any-return]


class LogoEncoder(nn.Module):
    """Embeddings and the blocks (one shared, or one per application): tokens ``(B, T)`` ->
    hidden states ``(B, T, 256)``."""

    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.embedding_dim, PAD)
        self.position_embedding = nn.Embedding(config.max_positions, config.embedding_dim)
        self.embedding_norm = nn.LayerNorm(config.embedding_dim, eps=config.norm_eps)
        self.projection = nn.Linear(config.embedding_dim, config.hidden_dim)
        self.dropout = nn.Dropout(config.dropout)
        if config.shared_blocks:
            self.block = TransformerBlock(config)
        else:  # BERT: one block per application, its own weights
            self.blocks = nn.ModuleList(
                [TransformerBlock(config) for _ in range(config.block_applications)]
            )
        with torch.no_grad():
            self.apply(init_weights)
            composition_init_(self.token_embedding.weight)

    def forward(self, tokens: Tensor, first_only: bool = False) -> Tensor:  # B T
        """Hidden states ``(B, T, C)``; with ``first_only``, the first token's alone ``(B, 1, C)``:
        the last application then computes that token's queries, attention output and FFN only
        (keys and values of every token still come from the application before), the same
        numbers for about 0.58 of the work (``bench/first_token_only.py``)."""
        positions = torch.arange(tokens.shape[1], device=tokens.device)  # T
        embedded = self.token_embedding(tokens) + self.position_embedding(positions)  # B T E
        x: Tensor = self.projection(self.dropout(self.embedding_norm(embedded)))  # B T C
        last = self.config.block_applications - 1
        for application in range(self.config.block_applications):
            block = self.block if self.config.shared_blocks else self.blocks[application]
            x = block(x, first_only=first_only and application == last)
        return x


class LogoModel(nn.Module):
    """LOGO with a chromatin-feature head on the ``cls`` token (and, with ``head_input``
    ``cls+mean``, on the mean of all hidden states as well)."""

    def __init__(self, config: LogoConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = LogoEncoder(config)
        self.head = nn.Linear(config.head_width, config.outputs)
        with torch.no_grad():
            init_weights(self.head)

    def head_inputs(self, hidden: Tensor) -> Tensor:
        """What the head reads from hidden states ``(B, T, C)``: ``(B, C)``, or ``(B, 2C)`` for
        ``cls+mean``."""
        if self.config.head_input == "cls":
            return hidden[:, 0]
        return cls_and_mean(hidden)

    @property
    def reads_first_token_only(self) -> bool:
        """Whether the head reads the first token's hidden state alone (``cls``): then only that
        token's is computed in the last block application (``LogoEncoder.forward``)."""
        return self.config.head_input == "cls"

    def forward(self, tokens: Tensor) -> Tensor:
        """Logits ``(B, N)`` for tokens ``(B, T)``."""
        hidden = self.encoder(tokens, first_only=self.reads_first_token_only)
        return self.head(self.head_inputs(hidden))  # type: ignore[no-any-return]

    def probabilities(self, tokens: Tensor) -> Tensor:
        """Sigmoid probabilities ``(B, N)`` for tokens ``(B, T)``."""
        return torch.sigmoid(self.forward(tokens))


class ProbabilityModel(nn.Module):
    """``LogoModel.probabilities`` as a module: the graph that is exported to ONNX."""

    def __init__(self, model: LogoModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, tokens: Tensor) -> Tensor:
        return self.model.probabilities(tokens)


def parameter_count(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())
