"""Scoring: the engine, the ONNX model it runs, its micro-batcher, the score cache and the
streaming pipeline."""
