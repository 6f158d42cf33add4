"""LOGO-919's layout for benchmarks: 919 features on a ``cls`` head, seeded random weights.

The shipped demo model's head reads the ``cls`` token and the mean of all hidden states, so its
last block application must compute every token. LOGO's own chromatin model, and any model
trained with the default head, reads the ``cls`` token alone: the last application then
computes that token's state only (``training.model.LogoEncoder.forward``). Speed does not depend
on the weights' values, so a seeded random model in that layout (the demo's tokenizer and
window, 919 outputs) measures it; ``WholeLastApplication`` is the same model exported as before,
every token through the last application, for the ratio. Run as a script, it writes a model
directory in that layout that the service loads (no background: E-values null), for the host
side's cost at 919 features:

    .venv/bin/python bench/cls_layout.py /tmp/cls919
    LOGOSCORE_MODEL_DIR=/tmp/cls919 .venv/bin/python bench/host_side.py
"""

import argparse
import tempfile
from pathlib import Path

import torch

from core.manifest import Feature, load_manifest
from core.windows import WindowSpec
from model_export.cli import export_model_dir
from model_export.onnx_export import export_onnx
from service.settings import DEMO_FASTA, DEMO_MODEL_DIR
from training.checkpoint import Checkpoint, save_checkpoint
from training.model import LogoConfig, LogoModel

LOGO_919_FEATURES = 919


class WholeLastApplication(LogoModel):
    """The model computing every token through the last application, as graphs were exported
    before a ``cls`` head's last application was cut to its one token."""

    @property
    def reads_first_token_only(self) -> bool:
        return False


def cls_layout_model(vocab_size: int) -> LogoModel:
    """A seeded random model in LOGO-919's layout."""
    torch.manual_seed(0)
    return LogoModel(LogoConfig(vocab_size=vocab_size, outputs=LOGO_919_FEATURES)).eval()


def export_cls_layout(directory: Path, spec: WindowSpec, vocab_size: int) -> dict[str, Path]:
    """The fp32 ONNX graphs of one seeded random model in LOGO-919's layout: ``whole`` (every
    token through the last application) and ``first token only`` (the service's export)."""
    model = cls_layout_model(vocab_size)
    config = model.config
    whole = WholeLastApplication(config).eval()
    whole.load_state_dict(model.state_dict())
    tokens = spec.tokens_per_frame
    return {
        "whole": export_onnx(whole, directory / "cls919.whole.onnx", tokens),
        "first token only": export_onnx(model, directory / "cls919.first.onnx", tokens),
    }


DEEPSEA_GROUPS = (("dnase", 125), ("tf", 690), ("histone", 104))
"""LOGO-919's (DeepSEA's) features: 125 DNase, 690 TF binding and 104 histone mark profiles."""


def write_model_dir(out: Path) -> Path:
    """A model directory the service loads, in LOGO-919's layout with DeepSEA's groups, on the
    demo's window, tokenizer and reference slice; random weights, no background."""
    demo = load_manifest(DEMO_MODEL_DIR)
    groups = [group for group, count in DEEPSEA_GROUPS for _ in range(count)]
    features = [
        Feature(f"{group}_{i:03d}", group, "random weights: for benchmarks only")
        for i, group in enumerate(groups)
    ]
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = save_checkpoint(
            Checkpoint(cls_layout_model(demo.vocab_size), features, demo.window, demo.assembly),
            Path(scratch) / "cls919.pt",
        )
        export_model_dir(
            checkpoint, DEMO_FASTA, out, "logo919-layout-random", "0.0.0", parity_variants=40
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the model directory to write")
    print(write_model_dir(parser.parse_args().out))


if __name__ == "__main__":
    main()
