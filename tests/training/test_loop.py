from pathlib import Path

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from training.device import device_description
from training.loop import LoopSettings, run_loop


def _problem() -> tuple[nn.Module, "callable[[np.random.Generator], Tensor]"]:
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    weights = torch.tensor([[1.0, -2.0, 0.5]])

    def batch_loss(rng: np.random.Generator) -> Tensor:
        x = torch.from_numpy(rng.normal(size=(16, 3)).astype(np.float32))
        return ((model(x) - x @ weights.T) ** 2).mean()

    return model, batch_loss


class SimulatedCrashError(Exception):
    pass


def _interrupted_at(
    batch_loss: "callable[[np.random.Generator], Tensor]", call: int
) -> "callable[[np.random.Generator], Tensor]":
    """``batch_loss`` that fails at its ``call``-th call, as a killed run would stop."""
    calls = 0

    def failing(rng: np.random.Generator) -> Tensor:
        nonlocal calls
        calls += 1
        if calls == call:
            raise SimulatedCrashError
        return batch_loss(rng)

    return failing


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path: Path) -> None:
    settings = LoopSettings(steps=6, learning_rate=0.05, warmup_steps=2, checkpoint_every=3)
    straight, loss = _problem()
    straight_history = run_loop(straight, loss, settings)

    state = tmp_path / "run.state.pt"
    interrupted, loss = _problem()
    with pytest.raises(SimulatedCrashError):
        run_loop(interrupted, _interrupted_at(loss, 4), settings, state)
    resumed, loss = _problem()
    resumed_history = run_loop(resumed, loss, settings, state, resume=True)

    assert resumed_history.resumed_from == 3
    assert resumed_history.losses == straight_history.losses
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_loss_goes_down() -> None:
    model, loss = _problem()
    history = run_loop(model, loss, LoopSettings(steps=60, learning_rate=0.05, warmup_steps=1))
    assert np.mean(history.losses[-5:]) < 0.1 * np.mean(history.losses[:5])


def test_the_learning_rate_warms_up_then_falls_to_zero() -> None:
    settings = LoopSettings(steps=10, warmup_steps=2, linear_decay=True)
    factors = [settings.learning_rate_factor(step) for step in range(10)]
    assert factors == pytest.approx([0.5, 1.0, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125])
    constant = LoopSettings(steps=10, warmup_steps=2)
    assert [constant.learning_rate_factor(step) for step in (0, 1, 9)] == [0.5, 1.0, 1.0]


@pytest.mark.parametrize("native", [True, False])
def test_bf16_autocast_runs_only_where_the_device_has_native_bf16(
    native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # emulated bfloat16 is ~14x slower than float32 on an AVX2-only CPU: the loop must not use it
    monkeypatch.setattr("training.loop.bf16_native", lambda device: native)
    model, loss = _problem()
    autocast_seen: list[bool] = []

    def recording_loss(rng: np.random.Generator) -> Tensor:
        autocast_seen.append(torch.is_autocast_enabled("cpu"))
        return loss(rng)

    run_loop(model, recording_loss, LoopSettings(steps=2, warmup_steps=1, bf16=True))
    assert autocast_seen == [native, native]
    autocast_seen.clear()
    run_loop(model, recording_loss, LoopSettings(steps=1, warmup_steps=1, bf16=False))
    assert autocast_seen == [False]


def test_the_device_description_names_the_precision_that_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("training.device.training_device", lambda: torch.device("cpu"))
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    monkeypatch.setattr("training.device.bf16_native", lambda device: False)
    assert device_description(bf16=True) == "cpu (1 thread, fp32)"
    monkeypatch.setattr("training.device.bf16_native", lambda device: True)
    assert device_description(bf16=True) == "cpu (1 thread, bf16 autocast)"
    assert device_description(bf16=False) == "cpu (1 thread, fp32)"
