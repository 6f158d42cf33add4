"""The ONNX model of a model directory, run with onnxruntime on CUDA when it has a GPU."""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.calibration import PriorityBackground, load_priority_background
from core.evalues import Background, load_background
from core.manifest import (
    EXECUTION_PROVIDERS,
    MANIFEST_FILE,
    ModelManifest,
    VariantParity,
    file_sha256,
    load_manifest,
)
from core.prioritiser import Prioritiser, load_prioritiser
from service.metrics import MODEL_BATCH_FILL, MODEL_BATCH_ROWS, MODEL_ROWS
from service.scoring.batcher import MicroBatcher
from service.settings import Precision, Provider

logger = logging.getLogger(__name__)

_CUDA = EXECUTION_PROVIDERS["cuda"]
_CPU = EXECUTION_PROVIDERS["cpu"]
DEFAULT_BATCH_ROWS = {"cpu": 80, "cuda": 4096}
"""Rows per onnxruntime call by device (``bench/RESULTS.md``): on the CPU 80 rows run as fast
as 320 with a quarter of the working memory; on an H100 4096 is the fastest measured."""


def choose_providers(provider: Provider) -> list[str]:
    available = onnxruntime.get_available_providers()
    if provider is Provider.CUDA and _CUDA not in available:
        raise RuntimeError(
            "LOGOSCORE_PROVIDER=cuda but onnxruntime has no CUDAExecutionProvider; install "
            "logoscore[gpu] on a machine with a GPU, or set LOGOSCORE_PROVIDER=auto"
        )
    if provider is not Provider.CPU and _CUDA in available:
        return [_CUDA, _CPU]
    return [_CPU]


@dataclass(frozen=True)
class ModelFile:
    """The ONNX file a model runs: its precision, sha256 and, for a reduced-precision copy,
    its parity with the fp32 model."""

    precision: str
    file: str
    sha256: str
    parity: VariantParity | None = None


def choose_model_file(manifest: ModelManifest, device: str, precision: Precision) -> ModelFile:
    """The file to run on ``device`` (``cpu`` or ``cuda``) for the ``precision`` setting."""
    fp32 = ModelFile("fp32", manifest.onnx.file, manifest.onnx.sha256)
    if precision is Precision.FP32:
        return fp32
    copy = next((c for c in manifest.reduced_precision if c.provider == device), None)
    if copy is None:
        if precision is Precision.REDUCED:
            raise RuntimeError(
                f"LOGOSCORE_PRECISION=reduced but model {manifest.name} has no reduced-precision "
                f"copy for {device}; add one with `python -m model_export.reduced --model-dir "
                "DIR --fasta FASTA`, or set LOGOSCORE_PRECISION=auto"
            )
        return fp32
    reduced = ModelFile(copy.precision, copy.file, copy.sha256, copy.parity)
    if precision is Precision.REDUCED:
        return reduced
    return reduced if copy.parity.within_tolerance else fp32


class OnnxModel:
    """A loaded model: its manifest, an inference session, and (when the model directory has
    them) the E-value background and the prioritiser."""

    def __init__(
        self,
        model_dir: Path,
        provider: Provider,
        batch_rows: int | None,
        precision: Precision = Precision.AUTO,
        threads: int | None = None,
    ) -> None:
        self.manifest: ModelManifest = load_manifest(model_dir)
        # the manifest names every file of the model by its sha256: the cache namespace's root
        self.manifest_sha256 = file_sha256(model_dir / MANIFEST_FILE)
        providers = choose_providers(provider)
        device = "cuda" if providers[0] == _CUDA else "cpu"
        self.file = choose_model_file(self.manifest, device, precision)
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(model_dir / self.file.file), options, providers=providers
        )
        self.provider: str = self.session.get_providers()[0]
        self.background: Background | None = (
            load_background(model_dir / self.manifest.background.file)
            if self.manifest.background
            else None
        )
        self.prioritiser: Prioritiser | None = (
            load_prioritiser(model_dir / self.manifest.prioritiser.file)
            if self.manifest.prioritiser
            else None
        )
        indels, ranks = self.manifest.indel_background, self.manifest.priority_background
        self.indel_background = load_background(model_dir / indels.file) if indels else None
        self.priority_background: PriorityBackground | None = (
            load_priority_background(model_dir / ranks.file) if ranks else None
        )
        self.batch_rows = batch_rows or DEFAULT_BATCH_ROWS[device]
        self.batcher: MicroBatcher | None = None
        self._run_lock = threading.Lock()
        self.tokens_per_frame = self.manifest.window.tokens_per_frame
        logger.info(
            "loaded model %s (%s) on %s", self.manifest.name, self.file.precision, self.provider
        )

    def enable_batching(self, max_wait_seconds: float) -> None:
        """Merge the rows of concurrent ``predict`` callers into shared calls (the service)."""
        self.batcher = MicroBatcher(self.run_batch, self.batch_rows, max_wait_seconds)

    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()
            self.batcher = None

    def predict(self, tokens: NDArray[np.int64]) -> NDArray[np.float32]:
        """Probabilities ``(R, N)`` for token rows ``(R, T)``, in calls of ``batch_rows`` rows
        (shared with concurrent callers once batching is enabled)."""
        if tokens.ndim != 2 or tokens.shape[1] != self.tokens_per_frame:
            raise ValueError(f"expected tokens (R, {self.tokens_per_frame}), got {tokens.shape}")
        features = len(self.manifest.features)
        if len(tokens) == 0:
            return np.zeros((0, features), dtype=np.float32)
        if self.batcher is not None:
            probabilities = self.batcher.predict(tokens)
        else:
            probabilities = np.concatenate(
                [
                    self.run_batch(tokens[start : start + self.batch_rows])
                    for start in range(0, len(tokens), self.batch_rows)
                ]
            )
        if probabilities.shape != (len(tokens), features):
            raise RuntimeError(f"model returned {probabilities.shape} for {tokens.shape} tokens")
        return probabilities

    def run_batch(self, rows: NDArray[np.int64]) -> NDArray[np.float32]:
        """One onnxruntime call; calls from several threads take turns (each already uses every
        core, or the whole GPU), while their callers prepare the next rows."""
        with self._run_lock:
            output = self.session.run(
                [self.manifest.onnx.output], {self.manifest.onnx.input: rows}
            )[0]
        MODEL_BATCH_ROWS.observe(len(rows))
        MODEL_BATCH_FILL.observe(len(rows) / self.batch_rows)
        MODEL_ROWS.inc(len(rows))
        return np.asarray(output, dtype=np.float32)
