"""Data-parallel fine-tuning under ``torchrun`` on the CPU (gloo): two processes, one model."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.training.datasets import prepare_synthetic

pytestmark = pytest.mark.slow


def test_two_ranks_hold_identical_weights_after_every_step_and_learn(tmp_path: Path) -> None:
    contigs = {"1": 100_000, "2": 20_000}
    _, data, _ = prepare_synthetic(tmp_path, contigs, 2, 0, "--validation-contigs 2")
    checkpoint = tmp_path / "model.pt"
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node"]
    finetune = (
        f"-m training.cli finetune --data {data} --out {checkpoint} --steps 80 --warmup-steps 5 "
        "--learning-rate 3e-3 --device cpu --motif-token-weight 0 "
        "--embedding-dim 32 --hidden-dim 64 --heads 4 --ffn-dim 128"
    )
    subprocess.run(
        [*torchrun, "2", *finetune.split()],
        check=True,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    history = torch.load(checkpoint, weights_only=True)["training"]["history"]
    assert history["ranks"] == 2
    assert history["ranks_agreed"] == 80  # compared after every one of the 80 steps
    assert history["final_loss"] < 0.8 * history["first_loss"]
