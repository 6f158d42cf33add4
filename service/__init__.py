"""The scoring service: FastAPI app, ONNX Runtime engine, CLI. Never imports torch."""
