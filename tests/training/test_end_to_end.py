"""A lab's whole path on a generated genome: prepare -> finetune -> export -> the service loads
the model unchanged and scores with it (``training.data.synthetic``)."""

import json
from pathlib import Path

import pytest
import torch
from fastapi.testclient import TestClient

from core.windows import reverse_complement
from model_export.cli import export_model_dir
from service.main import create_app
from service.settings import Settings
from training.cli import main as train_main
from training.data.synthetic import write_synthetic_genome

pytestmark = pytest.mark.slow

CONTIGS = {"1": 300_000, "2": 40_000, "3": 200_000}
TINY = ["--embedding-dim", "32", "--hidden-dim", "64", "--heads", "4", "--ffn-dim", "128"]


def test_planted_motifs_are_learnt_exported_and_served(tmp_path: Path) -> None:
    planted = write_synthetic_genome(tmp_path / "in", CONTIGS, planted=3, random=1)
    fasta, table = tmp_path / "in" / "genome.fa", tmp_path / "in" / "features.tsv"
    data, checkpoint = tmp_path / "data", tmp_path / "model.pt"
    # a 200 bp window (the bin itself) keeps the test to seconds on two cores
    train_main(
        [
            "prepare",
            "--fasta",
            str(fasta),
            "--features",
            str(table),
            "--window",
            "200",
            "--validation-contigs",
            "2",
            "--test-contigs",
            "3",
            "--out",
            str(data),
        ]
    )
    train_main(
        [
            "finetune",
            "--data",
            str(data),
            "--out",
            str(checkpoint),
            "--steps",
            "1500",
            "--warmup-steps",
            "50",
            "--learning-rate",
            "3e-3",
            "--validate-every",
            "500",
            "--motif-token-weight",
            "0",
            "--assembly",
            "synthetic",
            *TINY,
        ]
    )
    report = tmp_path / "evaluation.json"
    train_main(
        [
            "evaluate",
            "--data",
            str(data),
            "--checkpoint",
            str(checkpoint),
            "--report",
            str(report),
            "--max-bins",
            "5000",
        ]
    )
    metrics = json.loads(report.read_text())
    assert metrics["test_bins"] == 999  # every bin of contig 3 whose window fits
    for name in ("motif_1", "motif_2", "motif_3"):
        assert metrics["features"][name]["auroc"] >= 0.9, metrics["features"]
    assert abs(metrics["features"]["random_1"]["auroc"] - 0.5) <= 0.1

    out = tmp_path / "served"
    export_model_dir(checkpoint, fasta, out, "synthetic", "0.0.1", parity_variants=4)
    # a held-out motif copy, broken at its middle base
    site = next(p for p in planted if p.contig == "3" and p.feature == "motif_2")
    written = reverse_complement(site.motif) if site.reverse else site.motif
    pos = site.start + 6 + 1  # 1-based
    ref = written[6]
    alt = "A" if ref != "A" else "C"
    with TestClient(create_app(Settings(model_dir=out, fasta=fasta))) as client:
        response = client.post("/score", json={"variants": [f"3:{pos}:{ref}:{alt}"]})
        (result,) = response.json()["results"]
    assert result["status"] == "scored", result
    effects = {feature["name"]: feature for feature in result["features"]}
    assert effects["motif_2"]["logfold"] < -1, effects  # the model's motif_2 odds fall
    assert effects["motif_2"]["ref"] > 0.5 > effects["motif_2"]["alt"]


def test_pretraining_on_the_whole_genome_feeds_fine_tuning(tmp_path: Path) -> None:
    write_synthetic_genome(tmp_path / "in", {"1": 50_000, "2": 20_000}, planted=1, random=0)
    fasta, table = tmp_path / "in" / "genome.fa", tmp_path / "in" / "features.tsv"
    encoder, data = tmp_path / "encoder.pt", tmp_path / "data"
    train_main(
        [
            "pretrain",
            "--fasta",
            str(fasta),
            "--out",
            str(encoder),
            "--steps",
            "4",
            "--window",
            "200",
            "--batch-size",
            "4",
            "--workers",
            "1",
            *TINY,
        ]
    )
    train_main(
        [
            "prepare",
            "--fasta",
            str(fasta),
            "--features",
            str(table),
            "--out",
            str(data),
            "--window",
            "200",
            "--validation-contigs",
            "2",
        ]
    )
    checkpoint = tmp_path / "model.pt"
    train_main(
        [
            "finetune",
            "--data",
            str(data),
            "--out",
            str(checkpoint),
            "--steps",
            "2",
            "--pretrained",
            str(encoder),
            "--batch-size",
            "4",
        ]
    )
    saved = torch.load(checkpoint, weights_only=True)
    assert saved["config"]["hidden_dim"] == 64  # the pretrained encoder's shape, not LOGO's
    assert saved["training"]["pretraining"]["data"].startswith(f"windows sampled from {fasta}")
    prepared_for_another_window = tmp_path / "data-1000"
    train_main(
        [
            "prepare",
            "--fasta",
            str(fasta),
            "--features",
            str(table),
            "--out",
            str(prepared_for_another_window),
        ]
    )
    with pytest.raises(ValueError, match=r"was pretrained on windows .*'length': 200"):
        train_main(
            [
                "finetune",
                "--data",
                str(prepared_for_another_window),
                "--out",
                str(checkpoint),
                "--steps",
                "1",
                "--pretrained",
                str(encoder),
            ]
        )
