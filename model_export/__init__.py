"""Checkpoint -> ONNX model directory (model, manifest, model card), with parity checks."""
