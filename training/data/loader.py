"""The data path of training: one batch per step, drawn in data-loader worker processes.

Item ``i`` of ``StepBatches`` is micro-batch ``i % accumulate`` of step ``i // accumulate``,
drawn by ``draw`` with a generator seeded by ``(seed, rank, step, micro-batch)``: every batch
depends only on where it falls in the run, never on which worker drew it or on what came
before. So a run resumed at step ``s`` reads exactly the batches an uninterrupted run reads,
whatever the number of workers, and each rank of a distributed run reads its own batches.

Workers read windows from the memory-mapped shards (``training.data.shards``) and tokenise a
whole batch at once (``core.kmers.code_tokens``); ``step_loader`` pins the batches' memory
when training on a GPU so the copy to the device overlaps the step before.
"""

from collections.abc import Callable

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

BatchDraw = Callable[[np.random.Generator], dict[str, NDArray[np.generic]]]


class StepBatches(Dataset[dict[str, Tensor]]):
    def __init__(self, draw: BatchDraw, seed: int, rank: int = 0, accumulate: int = 1) -> None:
        self.draw = draw
        self.seed = seed
        self.rank = rank
        self.accumulate = accumulate

    def __len__(self) -> int:
        return 2**62  # indexed by step; the sampler says which steps are read

    def __getitem__(self, item: int) -> dict[str, Tensor]:
        step, micro = divmod(item, self.accumulate)
        rng = np.random.default_rng([self.seed, self.rank, step, micro])
        return {name: torch.from_numpy(np.asarray(value)) for name, value in self.draw(rng).items()}


def step_loader(
    batches: StepBatches, first_step: int, steps: int, workers: int, pin_memory: bool
) -> DataLoader[dict[str, Tensor]]:
    """The micro-batches of steps ``first_step .. steps - 1``, in order."""
    items = range(first_step * batches.accumulate, steps * batches.accumulate)
    return DataLoader(
        batches,
        batch_size=None,
        sampler=items,
        num_workers=workers,
        pin_memory=pin_memory,
        prefetch_factor=4 if workers else None,
    )
