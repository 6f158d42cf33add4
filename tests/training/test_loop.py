from pathlib import Path

import numpy as np
import pytest
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from training.data.loader import StepBatches
from training.device import device_description
from training.loop import LoopSettings, run_loop

WEIGHTS = torch.tensor([[1.0, -2.0, 0.5]])


class Regression(nn.Module):
    """A linear model whose loss on a batch is its squared error against ``WEIGHTS``."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(3, 1)
        self.autocast_seen: list[bool] = []

    def forward(self, batch: dict[str, Tensor]) -> Tensor:
        self.autocast_seen.append(torch.is_autocast_enabled("cpu"))
        x = batch["x"]
        return ((self.linear(x).float() - x @ WEIGHTS.T) ** 2).mean()


def draw(rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
    return {"x": rng.normal(size=(16, 3)).astype(np.float32)}


class SimulatedCrashError(Exception):
    pass


class CrashingDraw:
    """``draw`` that fails at its ``call``-th call, as a killed run would stop."""

    def __init__(self, call: int) -> None:
        self.calls, self.call = 0, call

    def __call__(self, rng: np.random.Generator) -> dict[str, NDArray[np.generic]]:
        self.calls += 1
        if self.calls == self.call:
            raise SimulatedCrashError
        return draw(rng)


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path: Path) -> None:
    settings = LoopSettings(steps=6, learning_rate=0.05, warmup_steps=2, checkpoint_every=3)
    straight = Regression()
    straight_history = run_loop(straight, StepBatches(draw, 0), settings)

    state = tmp_path / "run.state.pt"
    with pytest.raises(SimulatedCrashError):
        run_loop(Regression(), StepBatches(CrashingDraw(4), 0), settings, state)
    resumed = Regression()
    resumed_history = run_loop(resumed, StepBatches(draw, 0), settings, state, resume=True)

    assert resumed_history.resumed_from == 3
    assert resumed_history.losses == straight_history.losses
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)


def test_batches_depend_on_their_step_only_however_many_workers_draw_them() -> None:
    settings = LoopSettings(steps=4, learning_rate=0.05, warmup_steps=1)
    in_process, with_workers = Regression(), Regression()
    first = run_loop(in_process, StepBatches(draw, 3), settings).losses
    second = run_loop(
        with_workers, StepBatches(draw, 3), LoopSettings(**{**settings.__dict__, "workers": 2})
    ).losses
    assert first == second
    assert torch.equal(in_process.linear.weight, with_workers.linear.weight)


def test_the_loss_goes_down() -> None:
    model = Regression()
    history = run_loop(
        model, StepBatches(draw, 0), LoopSettings(steps=60, learning_rate=0.05, warmup_steps=1)
    )
    assert np.mean(history.losses[-5:]) < 0.1 * np.mean(history.losses[:5])


def test_accumulated_micro_batches_average_their_gradients() -> None:
    # two micro-batches of 16 in one step move the weights as their mean loss does
    settings = LoopSettings(
        steps=1, learning_rate=0.05, warmup_steps=1, accumulate=2, weight_decay=0, bf16=False
    )
    accumulated = Regression()
    history = run_loop(accumulated, StepBatches(draw, 5, accumulate=2), settings)
    by_hand = Regression()
    batches = [draw(np.random.default_rng([5, 0, 0, micro])) for micro in (0, 1)]
    optimizer = torch.optim.AdamW(by_hand.parameters(), lr=0.05 * 1.0, weight_decay=0)
    loss = sum(by_hand({"x": torch.from_numpy(b["x"])}) for b in batches) / 2
    loss.backward()
    optimizer.step()
    assert history.losses == pytest.approx([float(loss.detach())], rel=1e-6)
    assert torch.allclose(accumulated.linear.weight, by_hand.linear.weight, atol=1e-7)


def test_validation_keeps_the_best_weights_and_stops_early() -> None:
    model = Regression()
    scores = iter([3.0, 1.0, 2.0, 2.5, 0.5])
    kept: list[Tensor] = []

    def validation(module: nn.Module) -> float:
        kept.append(module.linear.weight.detach().clone())  # type: ignore[union-attr]
        return next(scores)

    settings = LoopSettings(
        steps=10, learning_rate=0.05, warmup_steps=1, validate_every=2, patience=2
    )
    history = run_loop(model, StepBatches(draw, 0), settings, validation=validation)
    assert history.validations == [(2, 3.0), (4, 1.0), (6, 2.0), (8, 2.5)]
    assert history.best_step == 4 and history.stopped_early and len(history.losses) == 8
    assert torch.equal(model.linear.weight, kept[1])  # the weights validated at step 4


@pytest.mark.parametrize("native", [True, False])
def test_bf16_autocast_runs_only_where_the_device_has_native_bf16(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # emulated bfloat16 is ~14x slower than float32 on an AVX2-only CPU: the loop must not use it
    monkeypatch.setattr("training.loop.bf16_native", lambda device: native)
    model = Regression()
    run_loop(model, StepBatches(draw, 0), LoopSettings(steps=2, warmup_steps=1, bf16=True))
    assert model.autocast_seen == [native, native]
    model.autocast_seen.clear()
    run_loop(model, StepBatches(draw, 0), LoopSettings(steps=1, warmup_steps=1, bf16=False))
    assert model.autocast_seen == [False]


def test_the_device_description_names_the_precision_that_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cpu = torch.device("cpu")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    monkeypatch.setattr("training.device.bf16_native", lambda device: False)
    assert device_description(cpu, bf16=True) == "cpu (1 thread, fp32)"
    monkeypatch.setattr("training.device.bf16_native", lambda device: True)
    assert device_description(cpu, bf16=True) == "cpu (1 thread, bf16 autocast)"
    assert device_description(cpu, bf16=False, world_size=2) == "cpu (1 thread, fp32) x 2 processes"
