"""A lab's whole path on a generated genome: prepare -> finetune -> export -> the service loads
the model unchanged and scores with it (``training.data.synthetic``)."""

import json
from pathlib import Path
from statistics import median

import pytest
import torch
from fastapi.testclient import TestClient

from core.windows import reverse_complement
from model_export.cli import export_model_dir
from service.main import create_app
from service.settings import Settings
from tests.training.datasets import prepare_synthetic
from training.cli import main as train_main

pytestmark = pytest.mark.slow

CONTIGS = {"1": 300_000, "2": 40_000, "3": 200_000}
TINY = "--embedding-dim 32 --hidden-dim 64 --heads 4 --ffn-dim 128"


def train(command: str) -> None:
    """``logoscore-train`` with a command line (the paths here hold no spaces)."""
    train_main(command.split())


def test_planted_motifs_are_learnt_exported_and_served(tmp_path: Path) -> None:
    held_out = "--validation-contigs 2 --test-contigs 3"
    fasta, data, planted = prepare_synthetic(tmp_path, CONTIGS, 3, 1, held_out)
    checkpoint, report = tmp_path / "model.pt", tmp_path / "evaluation.json"
    train(
        f"finetune --data {data} --out {checkpoint} --steps 1500 --warmup-steps 50 "
        f"--learning-rate 3e-3 --validate-every 500 --motif-token-weight 0 "
        f"--assembly synthetic {TINY}"
    )
    train(f"evaluate --data {data} --checkpoint {checkpoint} --report {report} --max-bins 5000")
    metrics = json.loads(report.read_text())
    assert metrics["test_bins"] == 999  # every bin of contig 3 whose window fits
    for name in ("motif_1", "motif_2", "motif_3"):
        assert metrics["features"][name]["auroc"] >= 0.9, metrics["features"]
    assert abs(metrics["features"]["random_1"]["auroc"] - 0.5) <= 0.1

    out = tmp_path / "served"
    export_model_dir(checkpoint, fasta, out, "synthetic", "0.0.1", parity_variants=4)
    # every held-out copy of motif_2, broken at its middle base
    variants = []
    for site in (p for p in planted if p.contig == "3" and p.feature == "motif_2"):
        written = reverse_complement(site.motif) if site.reverse else site.motif
        ref = written[6]
        variants.append(f"3:{site.start + 6 + 1}:{ref}:{'A' if ref != 'A' else 'C'}")  # 1-based
    with TestClient(create_app(Settings(model_dir=out, fasta=fasta))) as client:
        response = client.post("/score", json={"variants": variants})
    results = response.json()["results"]
    assert len(variants) == 100 and {r["status"] for r in results} == {"scored"}
    motif_2 = [next(f for f in r["features"] if f["name"] == "motif_2") for r in results]
    # breaking a copy lowers the model's motif_2 odds at every one, the typical one's 4-fold or
    # more (logfold < -2); the typical intact copy is called present, the broken one absent
    # (a single copy can sit near 0.5 after 1,500 steps: 5-40 of the 100 did, by seed)
    assert max(effect["logfold"] for effect in motif_2) < 0
    assert median(effect["logfold"] for effect in motif_2) < -2
    assert median(effect["ref"] for effect in motif_2) > 0.5 > median(e["alt"] for e in motif_2)


def test_pretraining_on_the_whole_genome_feeds_fine_tuning(tmp_path: Path) -> None:
    contigs = {"1": 50_000, "2": 20_000}
    fasta, data, _ = prepare_synthetic(tmp_path, contigs, 1, 0, "--validation-contigs 2")
    encoder, checkpoint = tmp_path / "encoder.pt", tmp_path / "model.pt"
    train(
        f"pretrain --fasta {fasta} --out {encoder} --steps 4 --window 200 --batch-size 4 "
        f"--workers 1 {TINY}"
    )
    finetune = f"finetune --out {checkpoint} --pretrained {encoder}"
    train(f"{finetune} --data {data} --steps 2 --batch-size 4")
    saved = torch.load(checkpoint, weights_only=True)
    assert saved["config"]["hidden_dim"] == 64  # the pretrained encoder's shape, not LOGO's
    assert saved["training"]["pretraining"]["data"].startswith(f"windows sampled from {fasta}")
    table = tmp_path / "in" / "features.tsv"
    another_window = tmp_path / "data-1000"
    train(f"prepare --fasta {fasta} --features {table} --out {another_window}")
    with pytest.raises(ValueError, match=r"was pretrained on windows .*'length': 200"):
        train(f"{finetune} --data {another_window} --steps 1")
