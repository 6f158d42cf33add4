"""A ``cls`` head's last block application for its one token: parity and speed on the CPU.

A model whose head reads the ``cls`` token alone (LOGO-919's, and the default of
``training.model.LogoConfig``) is exported with its last block application computing that
token's state only: keys and values of every token, one query, one FFN row; 0.58 of the
arithmetic of a row. This measures, in one run, LOGO-919's layout (``bench/cls_layout.py``:
919 features, seeded random weights) exported both ways, unfused and fused: each graph's
parity with the whole graph over SNVs of the demo slice (logfold, through the service's score
math) and its rows/s in alternating rounds (best round counts), against the whole unfused graph.

    .venv/bin/python bench/first_token_only.py [--batch-rows 80 320] [--seconds 4] [--rounds 3]
"""

import argparse
import os
import platform
import tempfile
from pathlib import Path

import onnxruntime
from cls_layout import export_cls_layout
from model_precision import FASTA, ROWS_PER_VARIANT, Runner, batch_of, measure, onnx_runner
from row_flop import flop_per_row

from core.manifest import load_manifest
from core.reference import ReferenceGenome
from core.scoring import VariantEffects
from model_export.fusion import write_fused
from model_export.parity import real_window_tokens
from model_export.precision import parity_snvs, session_effects, variant_parity
from service.settings import DEMO_MODEL_DIR

CPU = "CPUExecutionProvider"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-rows", type=int, nargs="+", default=[80, 320])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parity-variants", type=int, default=200)
    args = parser.parse_args()
    manifest = load_manifest(DEMO_MODEL_DIR)
    spec = manifest.window
    reference = ReferenceGenome(FASTA)
    with tempfile.TemporaryDirectory() as scratch:
        exported = export_cls_layout(Path(scratch), spec, manifest.vocab_size)
        graphs = {
            "whole last application": exported["whole"],
            "whole, fused": write_fused(exported["whole"], Path(scratch) / "whole.fused.onnx"),
            "first token only": exported["first token only"],
            "first token only, fused": write_fused(
                exported["first token only"], Path(scratch) / "first.fused.onnx"
            ),
        }
        snvs = parity_snvs(reference, spec, args.parity_variants)

        def effects(path: Path) -> VariantEffects:
            session = onnxruntime.InferenceSession(str(path), providers=[CPU])
            return session_effects(session, snvs, spec)

        whole = effects(graphs["whole last application"])
        parity = {
            name: variant_parity(whole, effects(path), None, "cpu", 1e-4).max_abs_logfold
            for name, path in graphs.items()
        }
        runners: dict[str, Runner] = {
            name: onnx_runner(path, CPU, args.threads) for name, path in graphs.items()
        }
        tokens = real_window_tokens(reference, spec)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"{args.threads} threads, onnxruntime {onnxruntime.__version__}; 919 features, "
            f"{spec.tokens_per_frame} tokens a row: {flop_per_row(spec.tokens_per_frame) / 1e9:.3f}"
            f" GFLOP whole, {flop_per_row(spec.tokens_per_frame, 1) / 1e9:.3f} first token only"
        )
        print("| rows a call | graph | rows/s | variants/s | vs whole | logfold max vs whole |")
        print("|---|---|---|---|---|---|")
        for rows in args.batch_rows:
            rates = measure(runners, batch_of(tokens, rows), args.seconds, args.rounds)
            base = rates["whole last application"]
            for name, rate in rates.items():
                print(
                    f"| {rows} | {name} | {rate:,.1f} | {rate / ROWS_PER_VARIANT:,.2f} | "
                    f"{rate / base:.2f} | {parity[name]:.1e} |"
                )


if __name__ == "__main__":
    main()
