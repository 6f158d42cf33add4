"""The model card: what the model is, what it was trained on, how well it does, and its limits."""

from pathlib import Path

from core.manifest import ModelManifest

MODEL_CARD_FILE = "MODEL_CARD.md"


def _metrics_table(metrics: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    lines = ["| split | feature | AUROC | positive bins / bins |", "|---|---|---|---|"]
    for split, per_feature in metrics.items():
        for name, values in per_feature.items():
            counts = f"{values['positives']} / {values['bins']}"
            lines.append(f"| {split} | {name} | {values['auroc']} | {counts} |")
    return lines


def write_model_card(manifest: ModelManifest, model_dir: Path) -> Path:
    training = manifest.training
    lines = [
        f"# {manifest.name} {manifest.version}",
        "",
        "**A demonstration model. Not for clinical decisions.** It is the LOGO architecture "
        "fine-tuned briefly on a few Mb of one chromosome with annotation-derived labels (not "
        "ChIP-seq or DNase peaks): it shows that every layer of logoscore works on real data, "
        "not that its scores mean anything about a patient's variant.",
        "",
        "## Model",
        f"- LOGO (Yang et al., NAR 2022, 50(14):e81): ALBERT, {training.get('parameters', '?'):,} "
        "parameters; k-mer embedding 128 -> 256, one transformer block (8 heads, FFN 1024, GELU) "
        "applied twice with shared weights, sigmoid head on the cls token.",
        f"- Window {manifest.window.length} bp, k = {manifest.window.k}, tokenizer "
        f"{manifest.tokenizer_version} (vocabulary {manifest.vocab_size}); assembly "
        f"{manifest.assembly}.",
        f"- Pretraining: {training.get('pretraining', 'none')}.",
        f"- ONNX sha256 `{manifest.onnx.sha256}`; parity with torch on real windows: max |diff| = "
        f"{manifest.parity.get('max_abs_difference')} over {manifest.parity.get('rows')} rows.",
        "",
        "## Features",
        *(f"- `{f.name}` ({f.group}): {f.description}" for f in manifest.features),
        "",
        "## Data",
        f"- Reference: {training.get('reference')}",
        *(f"- `{name}`: {source}" for name, source in training.get("sources", {}).items()),
        "- Samples: 200 bp bins tiled along the reference, each read as the 1000 bp window "
        "centred on it (the same window extractor serving uses); a bin is positive when it "
        "overlaps the annotation by >= 100 bp or holds a whole annotated interval; windows more "
        "than half N are skipped.",
        f"- Splits (contiguous, no window crosses a split): {training.get('splits')}; bins "
        f"{training.get('bins')}.",
        f"- Training: {training.get('settings')}; {training.get('history')}. Half of each batch "
        "is drawn from bins with a positive label, so probabilities are not calibrated to base "
        "rates.",
        "",
        "## Held-out metrics (frame- and strand-averaged, as served)",
        *_metrics_table(training.get("metrics", {})),
        "",
        "## Limits",
        "- Trained on GRCh37 chr20 only, a few Mb of it; other contigs are scored by the same "
        "model but it has never seen them.",
        "- Labels are genome annotations (CpG islands, RefSeq TSSs and exons), not chromatin "
        "assays: the 'chromatin features' here are proxies.",
        "- No E-values or prioritisation scores yet.",
    ]
    path = model_dir / MODEL_CARD_FILE
    path.write_text("\n".join(lines) + "\n")
    return path
