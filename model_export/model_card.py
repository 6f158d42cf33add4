"""The model card: what the model is, what it was trained on, how well it does, and its limits.

``card_facts`` keeps the key facts in the manifest (``GET /models`` shows them);
``write_model_card`` writes ``MODEL_CARD.md`` from the manifest and, when given, the report;
``python -m model_export.model_card --model-dir DIR`` rewrites it (after
``training.heldout_evaluation`` has added its figures).
"""

import argparse
import json
from pathlib import Path
from typing import Any

from core.calibration import PRIORITY_DESCRIPTION
from core.manifest import ModelCopy, ModelManifest, load_manifest
from training.heldout_evaluation import TEST_SPLIT_FILE

MODEL_CARD_FILE = "MODEL_CARD.md"
NOT_CLINICAL = (
    "A demonstration model trained on real data of one chromosome; not for clinical decisions."
)
LIMITS = [
    "Trained on GRCh37 chr20 only; other contigs are scored by the same model, never seen.",
    "Most labels are proxies: genome annotations and motif matches, plus two small ChIP-seq "
    "peak sets; no DNase or histone assays.",
    "The prioritiser learned proxy labels (observed vs simulated variants), not pathogenicity.",
    "Probabilities are not calibrated to base rates (positive bins were over-sampled).",
]
IMPORTED_SUMMARY = (
    "LOGO's published weights ({file}, sha256 {sha256}), imported unchanged; not validated "
    "here, and not for clinical decisions."
)
IMPORTED_LIMITS = [
    "Trained by LOGO's authors (melobio/LOGO) on their data and assembly; nothing here retrained "
    "or re-validated it: `logoscore-train evaluate-variants` measures it on labelled variants.",
    "Probabilities are the model's sigmoid outputs, not calibrated to base rates.",
]


def _read_json(path: Path | None) -> dict[str, Any]:
    return json.loads(path.read_text()) if path is not None and path.is_file() else {}


def card_facts(
    training: dict[str, Any], extras: Path | None, report: Path | None
) -> dict[str, Any]:
    """The model card's key facts, kept in the manifest."""
    imported = training.get("imported")
    if isinstance(imported, dict):
        facts: dict[str, Any] = {
            "summary": IMPORTED_SUMMARY.format(**imported),
            "limits": IMPORTED_LIMITS,
        }
    else:
        facts = {"summary": NOT_CLINICAL, "limits": LIMITS}
    pretraining = training.get("pretraining")
    facts["pretraining"] = pretraining.get("task") if isinstance(pretraining, dict) else pretraining
    results = _read_json(report)
    if results:
        models = results["models"]
        facts["test_median_auroc"] = {
            name: {group: m["median_auroc"] for group, m in metrics["groups"].items()}
            for name, metrics in models.items()
        }
        facts["motif_breaking_snv_auroc"] = results["motif_check"]["pooled_auroc"]
    prioritiser = _read_json(extras / "prioritiser.json" if extras else None)
    if prioritiser:
        facts["prioritiser"] = {
            "labels": "proxy: observed 1000 Genomes SNVs vs simulated SNVs of matched type",
            "held_out_auroc": prioritiser["metrics"].get("held_out_auroc"),
        }
    background = _read_json(extras / "background.json" if extras else None)
    if background:
        facts["evalue_background"] = background["description"]
    return facts


def _group_table(facts: dict[str, Any]) -> list[str]:
    table = facts.get("test_median_auroc")
    if not table:
        return []
    groups = list(next(iter(table.values())))
    lines = [
        "## Held-out test split: median AUROC per feature group",
        "",
        "| model | " + " | ".join(groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    lines += [
        f"| {name} | " + " | ".join(str(v[g]) for g in groups) + " |" for name, v in table.items()
    ]
    return [*lines, ""]


def _test_split_lines(manifest: ModelManifest, model_dir: Path) -> list[str]:
    result = _read_json(model_dir / TEST_SPLIT_FILE)
    if result.get("onnx_sha256") != manifest.onnx.sha256:
        return []
    lines = [
        f"Every one of the {result['test_bins']} test bins, through `{manifest.onnx.file}` as "
        "served (`TEST_SPLIT.md`): LOGO - k-mer baseline, median AUROC [95% block-bootstrap "
        "interval]:",
        "",
    ]
    lines += [
        f"- {group}: {d['difference']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]"
        for group, d in result["median_auroc_difference"].items()
    ]
    return [*lines, ""]


def _onnx_parity(manifest: ModelManifest) -> str:
    parity = manifest.parity
    if parity is None:
        return "not measured"
    return f"{parity.max_abs_difference} over {parity.rows} rows"


def _copy_line(copy: ModelCopy) -> str:
    parity = copy.parity
    speed = (
        f"; {copy.speedup:.2f}x the fp32 model's speed on {copy.provider}"
        if copy.speedup is not None
        else ""
    )
    return (
        f"- {copy.label} copy for {copy.provider} `{copy.file}` (sha256 `{copy.sha256}`): "
        f"against fp32 over {parity.variants} SNVs, |logfold| differs by at most "
        f"{parity.max_abs_logfold:.2g} (99th percentile "
        f"{parity.p99_abs_logfold:.2g}), priority by at most "
        f"{parity.max_abs_priority or 0:.2g}; measured on {parity.provider}{speed}."
    )


def _head_text(training: dict[str, Any]) -> str:
    refit = training.get("head_refit")
    if not isinstance(refit, dict):
        return "sigmoid head on the cls token"
    return (
        "sigmoid head on the cls token; the head of the "
        f"{', '.join(refit['groups'])} features also reads the mean of all hidden states "
        f"(refitted on the frozen fine-tuned encoder over {refit['bins']:,} training bins, "
        "`training.head_refit`)"
    )


def _model_lines(training: dict[str, Any]) -> list[str]:
    imported = training.get("imported")
    if isinstance(imported, dict):
        return [
            f"- LOGO (Yang et al., NAR 2022, 50(14):e81), {imported['form']}, "
            f"{training.get('parameters', 0):,} parameters (LOGO's segment table folded into the "
            "positions); sigmoid head on the first k-mer token.",
            f"- Imported from `{imported['file']}` (sha256 `{imported['sha256']}`), "
            f"{imported['format']}; no training here.",
        ]
    return [
        f"- LOGO (Yang et al., NAR 2022, 50(14):e81): ALBERT, {training.get('parameters', 0):,} "
        "parameters; k-mer embedding 128 -> 256, one transformer block (8 heads, FFN 1024, GELU) "
        f"applied twice with shared weights, {_head_text(training)}.",
    ]


def _training_lines(facts: dict[str, Any], training: dict[str, Any]) -> list[str]:
    if isinstance(training.get("imported"), dict):
        return []
    return [
        f"- Pretraining: {facts.get('pretraining') or 'none'}.",
        f"- Fine-tuning: {training.get('settings')}; loss {training.get('history')}; "
        f"{training.get('seconds')} s on {training.get('device', 'cpu')}.",
    ]


def _rank_lines(background: dict[str, Any] | None) -> list[str]:
    if not background:
        return []
    lines = [
        f"- Priority percentile and PHRED-scaled rank (`priority_percentile`, `priority_phred`): "
        f"against {background['description']}; per class (SNV, indel). Indels' E-values: "
        "against the indels of that background."
    ]
    if "observed_median_percentile" in background:
        lines.append(
            f"- On real variants ({background['observed_file']}, "
            f"{background['observed_snvs']} SNVs): median priority percentile "
            f"{background['observed_median_percentile']}, against "
            f"{background['simulated_median_percentile']} for {background['simulated_snvs']} "
            "simulated SNVs of matched type: what the priority tells apart."
        )
    return lines


def write_model_card(manifest: ModelManifest, model_dir: Path) -> Path:
    facts, training = manifest.card, manifest.training
    lines = [
        f"# {manifest.name} {manifest.version}",
        "",
        f"**{facts.get('summary', NOT_CLINICAL)}**",
        "",
        "## Model",
        *_model_lines(training),
        f"- Window {manifest.window.length} bp, k = {manifest.window.k}, tokenizer "
        f"{manifest.tokenizer_version} (vocabulary {manifest.vocab_size}); assembly "
        f"{manifest.assembly}.",
        *_training_lines(facts, training),
        f"- ONNX sha256 `{manifest.onnx.sha256}`; parity with torch on real windows: max |diff| = "
        f"{_onnx_parity(manifest)}.",
        *(_copy_line(copy) for copy in manifest.copies),
        "",
        f"## Features ({len(manifest.features)})",
        *(f"- `{f.name}` ({f.group}): {f.description}" for f in manifest.features),
        "",
        *_group_table(facts),
        *_test_split_lines(manifest, model_dir),
    ]
    if "motif_breaking_snv_auroc" in facts:
        lines += [
            f"Motif-breaking SNVs vs random SNVs (|logfold| of the motif's feature): AUROC "
            f"{facts['motif_breaking_snv_auroc']}. Full report: `REPORT.md`.",
            "",
        ]
    if "prioritiser" in facts:
        lines += [
            "## Scores",
            f"- E-values: background {facts.get('evalue_background')}; `E = 1 - ECDF` of "
            "|diff x logfold| per feature, floored at 1/n.",
            f"- Priority: {PRIORITY_DESCRIPTION}. A logistic model over [logfold, diff]; "
            f"held-out AUROC {facts['prioritiser']['held_out_auroc']} on proxy labels ("
            f"{facts['prioritiser']['labels']}).",
            *_rank_lines(facts.get("priority_background")),
            "",
        ]
    lines += [
        "## Data",
        *(
            f"- {key}: {value}"
            for key, value in training.items()
            if key in ("data", "reference", "sources", "splits", "bins")
        ),
        "",
        "## Limits",
        *(f"- {limit}" for limit in facts.get("limits", LIMITS)),
    ]
    path = model_dir / MODEL_CARD_FILE
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model_export.model_card", description=__doc__)
    parser.add_argument("--model-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    write_model_card(load_manifest(args.model_dir), args.model_dir)


if __name__ == "__main__":
    main()
