"""The ONNX model of a model directory, run with onnxruntime on CUDA when it has a GPU."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime
from numpy.typing import NDArray

from core.calibration import PriorityBackground, load_priority_background
from core.evalues import Background, load_background
from core.manifest import (
    DEVICE_BATCH_ROWS,
    MANIFEST_FILE,
    ModelCopy,
    ModelManifest,
    VariantParity,
    file_sha256,
    graph_label,
    load_manifest,
)
from core.prioritiser import Prioritiser, load_prioritiser
from service.metrics import MODEL_BATCH_FILL, MODEL_BATCH_ROWS, MODEL_ROWS
from service.scoring.batcher import MicroBatcher
from service.scoring.providers import choose_providers, tensorrt_options
from service.settings import Precision, Provider, default_tensorrt_cache

logger = logging.getLogger(__name__)

RowRunner = Callable[[NDArray[np.int64]], NDArray[np.float32]]
"""One model call: token rows ``(R, T)`` -> probabilities ``(R, N)``."""


@dataclass(frozen=True)
class ModelFile:
    """The ONNX file a model runs: its precision, its graph (``unfused``, ``fused``, or
    ``tensorrt``: an engine TensorRT builds from the fp32 file), its sha256 and, for a copy, its
    parity with the fp32 model."""

    precision: str
    file: str
    sha256: str
    parity: VariantParity | None = None
    graph: str = "unfused"

    @property
    def label(self) -> str:
        return graph_label(self.precision, self.graph)

    @property
    def run_id(self) -> str:
        """What makes its numbers (cache keys, job records): the file's sha256, and the engine
        where onnxruntime does not run the file as written."""
        return f"{self.sha256}{self._engine}"

    @property
    def short_run_id(self) -> str:
        """``run_id`` with the sha256 cut to 16 digits (job queue names)."""
        return f"{self.sha256[:16]}{self._engine}"

    @property
    def _engine(self) -> str:
        return "-tensorrt-fp16" if self.graph == "tensorrt" else ""


def _copy_file(copy: ModelCopy) -> ModelFile:
    return ModelFile(copy.precision, copy.file, copy.sha256, copy.parity, copy.graph)


def choose_model_file(manifest: ModelManifest, device: str, precision: Precision) -> ModelFile:
    """The file to run on ``device`` (``cpu`` or ``cuda``) for the ``precision`` setting:
    ``Precision.AUTO``, the manifest's first copy for the device whose parity is within its
    tolerance and which was not measured slower than the fp32 model, else that model;
    ``Precision.REDUCED``, the first reduced copy, whatever its parity; ``Precision.FP32``, the
    exported fp32 model itself."""
    fp32 = ModelFile("fp32", manifest.onnx.file, manifest.onnx.sha256)
    copies = [copy for copy in manifest.copies if copy.provider == device]
    if precision is Precision.FP32:
        return fp32
    if precision is Precision.REDUCED:
        reduced = next((copy for copy in copies if copy.precision != "fp32"), None)
        if reduced is None:
            raise RuntimeError(
                f"LOGOSCORE_PRECISION=reduced but model {manifest.name} has no reduced-precision "
                f"copy for {device}; add one with `python -m model_export.copies --model-dir "
                "DIR --fasta FASTA`, or set LOGOSCORE_PRECISION=auto"
            )
        return _copy_file(reduced)
    for copy in copies:
        faster = copy.speedup is None or copy.speedup > 1
        if copy.parity.within_tolerance and faster:
            return _copy_file(copy)
    return fp32


def tensorrt_file(manifest: ModelManifest) -> ModelFile:
    """What TensorRT runs: an fp16 engine of the fp32 file (TensorRT fuses the graph itself);
    its parity is measured by ``bench/gpu.sh``, not recorded in the manifest."""
    return ModelFile("fp16", manifest.onnx.file, manifest.onnx.sha256, graph="tensorrt")


class OnnxModel:
    """A loaded model: its manifest, an inference session, and (when the model directory has
    them) the E-value background and the prioritiser. Given ``runner``, it opens no session and
    its calls go to ``runner`` instead (a worker process feeding the calling process's session:
    ``service.scoring.shared_session``)."""

    def __init__(
        self,
        model_dir: Path,
        provider: Provider,
        batch_rows: int | None,
        precision: Precision = Precision.AUTO,
        threads: int | None = None,
        tensorrt_cache: Path | None = None,
        runner: RowRunner | None = None,
    ) -> None:
        self.manifest: ModelManifest = load_manifest(model_dir)
        # the manifest names every file of the model by its sha256: the cache namespace's root
        self.manifest_sha256 = file_sha256(model_dir / MANIFEST_FILE)
        trt_options, trt_folder = None, None
        if provider is Provider.TENSORRT:
            trt_folder = (tensorrt_cache or default_tensorrt_cache()) / self.manifest.onnx.sha256
            trt_options = tensorrt_options(
                trt_folder,
                self.manifest.onnx.input,
                self.manifest.window.tokens_per_frame,
                batch_rows or DEVICE_BATCH_ROWS["cuda"],
            )
        choice = choose_providers(provider, trt_options)
        if trt_folder is not None:
            trt_folder.mkdir(parents=True, exist_ok=True)
        self.file = (
            tensorrt_file(self.manifest)
            if choice.tensorrt
            else choose_model_file(self.manifest, choice.device, precision)
        )
        self.batch_rows = batch_rows or DEVICE_BATCH_ROWS[choice.device]
        self.provider: str = choice.providers[0][0]
        self._run: RowRunner
        self.session: onnxruntime.InferenceSession | None = None  # none given ``runner``
        if runner is None:
            options = onnxruntime.SessionOptions()
            if threads is not None:
                options.intra_op_num_threads = threads
            session = onnxruntime.InferenceSession(
                str(model_dir / self.file.file), options, providers=choice.providers
            )
            self.session, self.provider = session, session.get_providers()[0]
            name, output = self.manifest.onnx.input, self.manifest.onnx.output
            self._run = lambda rows: session.run([output], {name: rows})[0]
        else:
            self._run = runner
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
        self.batcher: MicroBatcher | None = None
        self._run_lock = threading.Lock()
        self.tokens_per_frame = self.manifest.window.tokens_per_frame
        if runner is None:
            logger.info(
                "loaded model %s (%s) on %s", self.manifest.name, self.file.label, self.provider
            )

    @property
    def gives_evalues(self) -> bool:
        """Whether some scores carry E-values (a background for SNVs or for indels)."""
        return self.background is not None or self.indel_background is not None

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
            output = self._run(rows)
        self._count(len(rows))
        return np.asarray(output, dtype=np.float32)

    def run_into(self, rows: NDArray[np.int64], probabilities: NDArray[np.float32]) -> None:
        """One call as ``run_batch``, onnxruntime reading the tokens where they are and writing
        the probabilities into ``probabilities`` (``(R, N)``, C-contiguous: a worker's slot in
        shared memory), with no copy of either on the host in between (for 919 features, 15 MB
        a 4096-row call, copied twice while the calling thread held the GIL)."""
        features = len(self.manifest.features)
        if probabilities.shape != (len(rows), features):
            raise ValueError(f"{probabilities.shape} for probabilities of {rows.shape} tokens")
        if not (rows.flags.c_contiguous and probabilities.flags.c_contiguous):
            raise ValueError("run_into reads and writes C-contiguous arrays only")
        session = self.session
        if session is None:  # its calls go to ``runner``, which returns its own array
            probabilities[...] = self.run_batch(rows)
            return
        binding = session.io_binding()
        binding.bind_input(
            self.manifest.onnx.input, "cpu", 0, np.int64, rows.shape, rows.ctypes.data
        )
        binding.bind_output(
            self.manifest.onnx.output,
            "cpu",
            0,
            np.float32,
            probabilities.shape,
            probabilities.ctypes.data,
        )
        with self._run_lock:
            session.run_with_iobinding(binding)
        self._count(len(rows))

    def _count(self, rows: int) -> None:
        MODEL_BATCH_ROWS.observe(rows)
        MODEL_BATCH_FILL.observe(rows / self.batch_rows)
        MODEL_ROWS.inc(rows)
