"""The one optimisation loop: AdamW with linear warm-up, a seed, a progress bar, gradient
accumulation, validation with the best weights kept and early stopping, periodic checkpoints of
the whole training state with exact resume, and data-parallel training under ``torchrun``.

The module optimised maps a batch (``training.data.loader.StepBatches``' item, moved to the
device) to its loss. Forward passes run under bfloat16 autocast (``bf16=True``, the default)
where the device multiplies bfloat16 in hardware (``training.device.bf16_native``: CUDA from
Ampere on, CPUs with AVX512-BF16 or AMX), and in float32 elsewhere, where emulated bfloat16 is
~14x slower than float32. Weights, optimiser state, the loss and the exported model stay float32
either way. On a 2-core AVX512-BF16 CPU bfloat16 halves the time of a LOGO training step
(1.9 s -> 0.95 s for 32 windows). Which one ran is named in the summary's ``device``.

The learning rate rises linearly over ``warmup_steps`` and then stays, or with ``linear_decay``
falls linearly to zero at ``steps``. A step is ``accumulate`` micro-batches whose gradients add
up before one optimiser step. Losses are read back from the device only every ``LOG_EVERY``
steps, so on a GPU the next batch is prepared while the last one runs.

Every ``validate_every`` steps (and at the end) ``validation(module)`` gives a loss; the weights
with the lowest are kept and are the loop's result, and with ``patience`` the run stops after
that many validations without improvement. Every ``checkpoint_every`` steps the module,
optimiser, schedule, losses, validations and best weights are written to ``state_path``;
``resume=True`` continues from it and reaches the same weights as an uninterrupted run (batches
depend only on their step: ``training.data.loader``).

Under ``torchrun`` (``WORLD_SIZE > 1``) each process joins the process group (NCCL on GPUs, gloo
on CPUs), the module is wrapped in ``DistributedDataParallel`` (gradients averaged across ranks
at every step; each rank draws its own batches), only rank 0 writes state, and after every step
the ranks compare a checksum of their weights: a run whose ranks diverge stops with an error.
"""

import copy
import logging
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, distributed, nn
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from training.data.loader import StepBatches, step_loader
from training.device import Ranks, bf16_native, join_process_group, ranks, training_device

logger = logging.getLogger(__name__)
LOG_EVERY = 50  # steps between log lines when no progress bar is shown (not a terminal)
Validation = Callable[[nn.Module], float]


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
    accumulate: int = 1
    validate_every: int = 0
    """Steps between validations (0: only at the end, when a validation is given)."""
    patience: int = 0
    """Validations without improvement before stopping (0: never stop early)."""
    workers: int = 0
    """Data-loader worker processes (0: batches drawn in the training process)."""
    device: str = "auto"

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
    validations: list[tuple[int, float]] = field(default_factory=list)
    best_step: int | None = None
    stopped_early: bool = False
    ranks: int = 1
    ranks_agreed: int = 0
    """Steps after which every rank held the same weights (distributed runs)."""

    def summary(self) -> dict[str, Any]:
        head, tail = self.losses[:20], self.losses[-20:]
        return {
            "steps": len(self.losses),
            "first_loss": round(float(np.mean(head)), 4) if head else None,
            "final_loss": round(float(np.mean(tail)), 4) if tail else None,
            "resumed_from": self.resumed_from,
            "validations": [(step, round(loss, 5)) for step, loss in self.validations],
            "best_step": self.best_step,
            "stopped_early": self.stopped_early,
            "ranks": self.ranks,
            "ranks_agreed": self.ranks_agreed,
        }


@dataclass
class _Best:
    loss: float = float("inf")
    state: dict[str, Tensor] | None = None
    bad: int = 0


def loop_device(settings: LoopSettings) -> tuple[torch.device, Ranks]:
    """The device of this process and its ranks (joining the process group when distributed)."""
    run = ranks()
    device = training_device(settings.device, run.local_rank)
    join_process_group(run, device)
    return device, run


def run_loop(
    module: nn.Module,
    batches: StepBatches,
    settings: LoopSettings,
    state_path: Path | None = None,
    resume: bool = False,
    description: str = "training",
    validation: Validation | None = None,
) -> LoopHistory:
    """Optimise ``module`` for ``settings.steps`` steps of ``batches``' losses."""
    device, run = loop_device(settings)
    torch.manual_seed(settings.seed)
    module.to(device)
    use_bf16 = settings.bf16 and bf16_native(device)
    if settings.bf16 and not use_bf16:
        logger.info("%s in float32: %s has no native bfloat16", description, device.type)
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, settings.learning_rate_factor)
    history, best = LoopHistory(ranks=run.world_size), _Best()
    if resume and state_path is not None and state_path.is_file():
        history, best = _restore(state_path, module, optimizer, schedule, device)
    wrapped: nn.Module = module
    if run.world_size > 1:
        wrapped = DistributedDataParallel(
            module, device_ids=[device] if device.type == "cuda" else None
        )
    first = len(history.losses)
    loader = step_loader(
        batches, first, settings.steps, settings.workers, pin_memory=device.type == "cuda"
    )
    micro_batches = iter(loader)
    module.train()
    bar = tqdm(
        total=settings.steps,
        initial=first,
        desc=description,
        disable=not sys.stderr.isatty() or not run.main,
    )
    pending: list[Tensor] = []  # losses still on the device
    for step in range(first, settings.steps):
        total = torch.zeros((), device=device)
        for micro in range(settings.accumulate):
            batch = {k: v.to(device, non_blocking=True) for k, v in next(micro_batches).items()}
            last = micro == settings.accumulate - 1
            sync = nullcontext() if last or run.world_size == 1 else wrapped.no_sync()  # type: ignore[operator]
            with sync, torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                loss = wrapped(batch) / settings.accumulate
            loss.backward()
            total += loss.detach().float()
        optimizer.step()
        optimizer.zero_grad()
        schedule.step()
        pending.append(total)
        bar.update(1)
        done = step + 1
        if run.world_size > 1:
            _check_ranks_agree(module, run, done)
            history.ranks_agreed += 1
        validate = validation is not None and (
            done == settings.steps
            or (settings.validate_every and done % settings.validate_every == 0)
        )
        checkpoint = state_path is not None and done % settings.checkpoint_every == 0
        if done % LOG_EVERY and not checkpoint and not validate and done < settings.steps:
            continue
        history.losses.extend(torch.stack(pending).cpu().tolist())
        pending = []
        recent = float(np.mean(history.losses[-20:]))
        bar.set_postfix(loss=f"{recent:.4f}")
        if bar.disable and run.main and done % LOG_EVERY == 0:
            logger.info("%s step %d/%d loss %.4f", description, done, settings.steps, recent)
        if validate and validation is not None:
            stop = _validate(module, validation, done, history, best, settings, run, device)
            module.train()
        else:
            stop = False
        if (checkpoint or stop) and state_path is not None and run.main:
            _save(state_path, module, optimizer, schedule, history, best)
        if stop:
            history.stopped_early = True
            logger.info(
                "%s: no improvement in %d validations, stopped at step %d",
                description,
                settings.patience,
                done,
            )
            break
    bar.close()
    if best.state is not None:
        module.load_state_dict(best.state)
    return history


def _validate(
    module: nn.Module,
    validation: Validation,
    step: int,
    history: LoopHistory,
    best: _Best,
    settings: LoopSettings,
    run: Ranks,
    device: torch.device,
) -> bool:
    """Validate, keep the best weights; whether to stop early (rank 0 decides for all)."""
    module.eval()
    with torch.no_grad():
        loss = validation(module)
    if run.world_size > 1:
        shared = torch.tensor([loss], dtype=torch.float64, device=device)
        distributed.broadcast(shared, 0)
        loss = float(shared.item())
    history.validations.append((step, loss))
    logger.info("validation at step %d: loss %.5f", step, loss)
    if loss < best.loss:
        best.loss, best.bad = loss, 0
        best.state = {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}
        history.best_step = step
        return False
    best.bad += 1
    return settings.patience > 0 and best.bad >= settings.patience


def _check_ranks_agree(module: nn.Module, run: Ranks, step: int) -> None:
    with torch.no_grad():
        flat = torch.cat([p.detach().double().flatten() for p in module.parameters()])
        checksum = torch.stack([flat.sum(), (flat * flat).sum()]).to(flat.device)
        gathered = [torch.zeros_like(checksum) for _ in range(run.world_size)]
        distributed.all_gather(gathered, checksum)
    if any(not torch.equal(gathered[0], other) for other in gathered[1:]):
        raise RuntimeError(f"the ranks' weights differ after step {step}: the run is not in sync")


def _save(
    path: Path,
    module: nn.Module,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    history: LoopHistory,
    best: _Best,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(
        {
            "model": module.state_dict(),
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "losses": history.losses,
            "validations": history.validations,
            "best": {
                "loss": best.loss,
                "state": best.state,
                "bad": best.bad,
                "step": history.best_step,
            },
        },
        partial,
    )
    partial.replace(path)  # a crash mid-write never leaves a broken state file


def _restore(
    path: Path,
    module: nn.Module,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    device: torch.device,
) -> tuple[LoopHistory, _Best]:
    state = torch.load(path, map_location=device, weights_only=False)
    module.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    schedule.load_state_dict(state["schedule"])
    torch.set_rng_state(state["torch_rng"].cpu())
    losses = list(state["losses"])
    saved = state["best"]
    best = _Best(saved["loss"], copy.deepcopy(saved["state"]), saved["bad"])
    history = LoopHistory(
        losses=losses,
        resumed_from=len(losses),
        validations=[(int(step), float(loss)) for step, loss in state["validations"]],
        best_step=saved["step"],
        ranks=ranks().world_size,
    )
    return history, best
