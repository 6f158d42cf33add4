"""``logoscore-train evaluate-variants`` on the chr20 part of LOGO's GWAS set with the demo model:
the variants are scored as the service scores them, and the table's AUROC is that of the
service's own scores."""

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from core.vcf import parse_record
from model_export.train_cli import main as train_main
from model_export.variant_evaluation import LabelRule
from service.main import create_app
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR, Settings
from tests.conftest import DATA

GWAS_CHR20 = DATA / "logo_gwas_chr20.vcf"


def _pairwise_auroc(positives: list[float], negatives: list[float]) -> float:
    wins = [1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives]
    return float(np.mean(wins))


def test_the_gwas_table_holds_the_services_own_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gwas.md"
    train_main(
        ["evaluate-variants", "--model-dir", str(DEMO_MODEL_DIR), "--fasta", str(DEMO_FASTA),
         "--variants", str(GWAS_CHR20), "--positive-prefix", "GWAS", "--negative-prefix", "1000G",
         "--bootstrap", "200", "--out", str(out)]
    )  # fmt: skip
    table = out.read_text()
    assert capsys.readouterr().out == table
    assert "2 positive and 3 negative variants scored" in table
    assert "not scored (left out): out_of_bounds 31; unlabelled: 0" in table
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    names = [row.split(" | ")[0][2:] for row in rows[1:]]
    assert names == [
        "priority",
        "group annotation: max abs diff",
        "group chip_seq: max abs diff",
        "group tf_motif: max abs diff",
    ]
    lines = [line for line in GWAS_CHR20.read_text().splitlines() if not line.startswith("#")]
    variants = [":".join(line.split("\t")[i] for i in (0, 1, 3, 4)) for line in lines]
    ids = [line.split("\t")[2] for line in lines]
    with TestClient(create_app(Settings(model_dir=DEMO_MODEL_DIR, fasta=DEMO_FASTA))) as client:
        results = client.post("/score", json={"variants": variants}).json()["results"]
    scored = [(i, r["priority"]) for i, r in zip(ids, results, strict=True) if r["priority"]]
    expected = _pairwise_auroc(
        [p for i, p in scored if i.startswith("GWAS")],
        [p for i, p in scored if i.startswith("1000G")],
    )
    assert rows[1].split(" | ")[1].startswith(f"{expected:.3f} [")


def test_labels_come_from_an_info_field_or_the_id_prefix() -> None:
    record = parse_record("chr20\t100\tGWAS7\tA\tG\t.\tPASS\tDP=3;CLASS=Pathogenic", 0, 5)
    assert LabelRule(info_key="CLASS").label(record) == 1
    assert LabelRule(info_key="DP").label(record) is None  # 3 is no label: left out, counted
    assert LabelRule(positive_prefix="GWAS", negative_prefix="1000G").label(record) == 1
    assert LabelRule(positive_prefix="X", negative_prefix="1000G").label(record) is None


def test_without_a_label_rule_it_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="give either --label-info KEY or both --positive-pre"):
        train_main(
            ["evaluate-variants", "--model-dir", str(DEMO_MODEL_DIR), "--fasta",
             str(DEMO_FASTA), "--variants", str(GWAS_CHR20), "--positive-prefix", "GWAS"]
        )  # fmt: skip
