"""The one optimisation loop: AdamW with linear warm-up, a seed, a progress bar, periodic
checkpoints of the whole training state, and resume from them.

Forward passes run under bfloat16 autocast (``bf16=True``, the default) where the device
multiplies bfloat16 in hardware (``training.device.bf16_native``: CUDA from Ampere on, CPUs with
AVX512-BF16 or AMX), and in float32 elsewhere, where emulated bfloat16 is ~14x slower than
float32. Weights, optimiser state, the loss and the exported model stay float32 either way. On
a 2-core AVX512-BF16 CPU bfloat16 halves the time of a LOGO training step (1.9 s -> 0.95 s for
32 windows). Which one ran is logged and named in the summary's
``device``; the two give slightly different weights from the same seed.

The learning rate rises linearly over ``warmup_steps`` and then stays, or with
``linear_decay`` falls linearly to zero at ``steps`` (the demo model's recipe,
``training.cli.FINETUNE_RECIPE``). Losses are read back from the device only every
``LOG_EVERY`` steps, so on a GPU the next batch is prepared on the CPU while the last one runs.

The caller supplies ``batch_loss(rng)``: the loss of one batch drawn with ``rng``. Every
``checkpoint_every`` steps the model, optimiser, schedule, step, losses and both random states
are written to ``state_path``; ``resume=True`` continues from it, so a resumed run takes the same
batches and reaches the same weights as an uninterrupted one.
"""

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from tqdm import tqdm

from training.device import bf16_native, training_device

logger = logging.getLogger(__name__)
LOG_EVERY = 50  # steps between log lines when no progress bar is shown (not a terminal)


@dataclass(frozen=True)
class LoopSettings:
    steps: int
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_steps: int = 40
    seed: int = 0
    checkpoint_every: int = 200
    bf16: bool = True
    linear_decay: bool = False

    def learning_rate_factor(self, step: int) -> float:
        """Multiplier of ``learning_rate`` at 0-based ``step``."""
        warmup = min(1.0, (step + 1) / max(1, self.warmup_steps))
        if not self.linear_decay or step < self.warmup_steps:
            return warmup
        return max(0.0, (self.steps - step) / max(1, self.steps - self.warmup_steps))


@dataclass
class LoopHistory:
    losses: list[float] = field(default_factory=list)
    resumed_from: int = 0

    def summary(self) -> dict[str, Any]:
        head, tail = self.losses[:20], self.losses[-20:]
        return {
            "steps": len(self.losses),
            "first_loss": round(float(np.mean(head)), 4) if head else None,
            "final_loss": round(float(np.mean(tail)), 4) if tail else None,
            "resumed_from": self.resumed_from,
        }


def run_loop(
    model: nn.Module,
    batch_loss: Callable[[np.random.Generator], Tensor],
    settings: LoopSettings,
    state_path: Path | None = None,
    resume: bool = False,
    description: str = "training",
) -> LoopHistory:
    """Optimise ``model`` for ``settings.steps`` steps of ``batch_loss``."""
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    device = training_device()
    model.to(device)
    use_bf16 = settings.bf16 and bf16_native(device)
    if settings.bf16 and not use_bf16:
        logger.info("%s in float32: %s has no native bfloat16", description, device.type)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, settings.learning_rate_factor)
    history = LoopHistory()
    if resume and state_path is not None and state_path.is_file():
        history = _restore(state_path, model, optimizer, schedule, rng)
    model.train()
    bar = tqdm(
        total=settings.steps,
        initial=len(history.losses),
        desc=description,
        disable=not sys.stderr.isatty(),
    )
    pending: list[Tensor] = []  # losses still on the device
    for step in range(len(history.losses), settings.steps):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
            loss = batch_loss(rng)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
        schedule.step()
        pending.append(loss.detach())
        bar.update(1)
        done = step + 1
        checkpoint = state_path is not None and done % settings.checkpoint_every == 0
        if done % LOG_EVERY and not checkpoint and done < settings.steps:
            continue
        history.losses.extend(torch.stack(pending).float().cpu().tolist())
        pending = []
        recent = float(np.mean(history.losses[-20:]))
        bar.set_postfix(loss=f"{recent:.4f}")
        if bar.disable and done % LOG_EVERY == 0:
            logger.info("%s step %d/%d loss %.4f", description, done, settings.steps, recent)
        if checkpoint and state_path is not None:
            _save(state_path, model, optimizer, schedule, rng, history)
    bar.close()
    return history


def _save(
    path: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    rng: np.random.Generator,
    history: LoopHistory,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
            "numpy_rng": rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "losses": history.losses,
        },
        partial,
    )
    partial.replace(path)  # a crash mid-write never leaves a broken state file


def _restore(
    path: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    rng: np.random.Generator,
) -> LoopHistory:
    state = torch.load(path, map_location=training_device(), weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    schedule.load_state_dict(state["schedule"])
    rng.bit_generator.state = state["numpy_rng"]
    torch.set_rng_state(state["torch_rng"].cpu())
    losses = list(state["losses"])
    return LoopHistory(losses=losses, resumed_from=len(losses))
