"""LOGO-919's layout for benchmarks: 919 features on a ``cls`` head, seeded random weights.

The shipped demo model's head reads the ``cls`` token and the mean of all hidden states, so its
last block application must compute every token. LOGO's own chromatin model, and any model
trained with the default head, reads the ``cls`` token alone: the last application then
computes that token's state only (``training.model.LogoEncoder.forward``). Speed does not depend
on the weights' values, so a seeded random model in that layout (the demo's tokenizer and
window, 919 outputs) measures it; ``WholeLastApplication`` is the same model exported as before,
every token through the last application, for the ratio.
"""

from pathlib import Path

import torch

from core.windows import WindowSpec
from model_export.onnx_export import export_onnx
from training.model import LogoConfig, LogoModel

LOGO_919_FEATURES = 919


class WholeLastApplication(LogoModel):
    """The model computing every token through the last application, as graphs were exported
    before a ``cls`` head's last application was cut to its one token."""

    @property
    def reads_first_token_only(self) -> bool:
        return False


def export_cls_layout(directory: Path, spec: WindowSpec, vocab_size: int) -> dict[str, Path]:
    """The fp32 ONNX graphs of one seeded random model in LOGO-919's layout: ``whole`` (every
    token through the last application) and ``first token only`` (the service's export)."""
    torch.manual_seed(0)
    config = LogoConfig(vocab_size=vocab_size, outputs=LOGO_919_FEATURES)
    model = LogoModel(config).eval()
    whole = WholeLastApplication(config).eval()
    whole.load_state_dict(model.state_dict())
    tokens = spec.tokens_per_frame
    return {
        "whole": export_onnx(whole, directory / "cls919.whole.onnx", tokens),
        "first token only": export_onnx(model, directory / "cls919.first.onnx", tokens),
    }
