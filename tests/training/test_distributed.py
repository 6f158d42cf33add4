"""Data-parallel fine-tuning under ``torchrun`` on the CPU (gloo): two processes, one model."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from training.data.synthetic import write_synthetic_genome

pytestmark = pytest.mark.slow


def test_two_ranks_hold_identical_weights_after_every_step_and_learn(tmp_path: Path) -> None:
    write_synthetic_genome(tmp_path / "in", {"1": 100_000, "2": 20_000}, planted=2, random=0)
    data, checkpoint = tmp_path / "data", tmp_path / "model.pt"
    train = [sys.executable, "-m", "training.cli"]
    subprocess.run(
        [
            *train,
            "prepare",
            "--fasta",
            str(tmp_path / "in" / "genome.fa"),
            "--features",
            str(tmp_path / "in" / "features.tsv"),
            "--window",
            "200",
            "--validation-contigs",
            "2",
            "--out",
            str(data),
        ],
        check=True,
    )
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    subprocess.run(
        [
            *torchrun,
            "--nproc_per_node",
            "2",
            "-m",
            "training.cli",
            "finetune",
            "--data",
            str(data),
            "--out",
            str(checkpoint),
            "--steps",
            "80",
            "--warmup-steps",
            "5",
            "--learning-rate",
            "3e-3",
            "--device",
            "cpu",
            "--motif-token-weight",
            "0",
            "--embedding-dim",
            "32",
            "--hidden-dim",
            "64",
            "--heads",
            "4",
            "--ffn-dim",
            "128",
        ],
        check=True,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    history = torch.load(checkpoint, weights_only=True)["training"]["history"]
    assert history["ranks"] == 2
    assert history["ranks_agreed"] == 80  # compared after every one of the 80 steps
    assert history["final_loss"] < 0.8 * history["first_loss"]
