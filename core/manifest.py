"""The model manifest: what a model directory holds and how its model reads sequence.

``manifest.json`` sits beside the ONNX file. Written by ``model_export``, read by the service.
Fields: ``name``, ``version``, ``assembly``; ``window`` (``length``, ``k``, ``frame_tail``:
``core.windows``); ``tokenizer`` (``version``, ``vocab_size``); ``features`` (``name``,
``group``, ``description`` each, in model output order); ``onnx`` (``file``, ``sha256``,
``input``, ``output``, ``opset``); ``produced_by`` (versions of the tools that made it);
``parity`` (onnxruntime vs torch on real windows);
``copies`` (other graphs of the same model,
each with ``precision``, ``graph`` (``unfused``, or ``fused`` by onnxruntime's transformer
optimizer), ``provider`` (the processor it is for), ``file``, ``sha256``, its ``parity`` with the
fp32 model on variants and, where measured on its own processor, its ``speedup`` over the fp32
model; in the order the service prefers them; older manifests call them ``reduced_precision``);
optional ``background`` and
``prioritiser`` (``file``, ``sha256``: E-value quantiles and prioritiser coefficients);
``card`` (the model card's key facts, shown by ``GET /models``); and free ``training`` notes.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.kmers import TOKENIZER_VERSION, TOKENIZERS
from core.windows import WindowSpec

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Feature:
    name: str
    group: str
    description: str = ""


@dataclass(frozen=True)
class OnnxFile:
    file: str
    sha256: str
    input: str = "tokens"
    output: str = "probabilities"
    opset: int = 17


EXECUTION_PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}
"""onnxruntime's execution provider for each device a model file is made for."""
DEVICE_BATCH_ROWS = {"cpu": 80, "cuda": 4096}
"""Rows per onnxruntime call by device (``bench/RESULTS.md``): on the CPU 80 rows run as fast
as 320 with a quarter of the working memory; on an H100 4096 is the fastest measured."""


@dataclass(frozen=True)
class OnnxParity:
    """The exported ONNX model against the torch model it came from, on real windows."""

    max_abs_difference: float
    rows: int
    windows: str
    tolerance: float


@dataclass(frozen=True)
class VariantParity:
    """A copy of the model against the fp32 model, over ``variants`` SNVs x every
    feature; ``provider`` is the device it was measured on."""

    variants: int
    max_abs_logfold: float
    p99_abs_logfold: float
    median_abs_logfold: float
    max_abs_diff: float
    max_abs_priority: float | None
    provider: str
    logfold_tolerance: float

    @property
    def within_tolerance(self) -> bool:
        return self.max_abs_logfold <= self.logfold_tolerance

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "VariantParity":
        return cls(**{"max_abs_priority": None, **raw})


def graph_label(precision: str, graph: str) -> str:
    """How results and logs name a model file: ``int8``, ``fp32 fused``, ``fp16 tensorrt``."""
    return precision if graph == "unfused" else f"{precision} {graph}"


@dataclass(frozen=True)
class ModelCopy:
    """Another graph of the model for one device: a lower precision, a fused graph, or both
    (``model_export.copies.COPIES``)."""

    precision: str
    """``fp32``, ``int8`` or ``fp16``."""
    provider: str
    """``cpu`` or ``cuda``: the device it is made for (``EXECUTION_PROVIDERS``)."""
    file: str
    sha256: str
    parity: VariantParity
    graph: str = "unfused"
    """``fused`` when onnxruntime's transformer optimizer fused its attention, else
    ``unfused``."""
    speedup: float | None = None
    """Rows a second against the fp32 model's, measured in one run on ``provider`` at export;
    ``None`` where that device was not there to measure it."""

    @property
    def label(self) -> str:
        return graph_label(self.precision, self.graph)

    def to_json(self) -> dict[str, Any]:
        raw = {**asdict(self), "parity": self.parity.to_json()}
        return {key: value for key, value in raw.items() if value is not None}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "ModelCopy":
        return cls(**{**raw, "parity": VariantParity.from_json(raw["parity"])})


@dataclass(frozen=True)
class AuxiliaryFile:
    file: str
    sha256: str


@dataclass(frozen=True)
class ModelManifest:
    name: str
    version: str
    assembly: str
    window: WindowSpec
    features: tuple[Feature, ...]
    onnx: OnnxFile
    tokenizer_version: str = TOKENIZER_VERSION
    vocab_size: int = 0
    produced_by: dict[str, str] = field(default_factory=dict)
    parity: OnnxParity | None = None
    training: dict[str, Any] = field(default_factory=dict)
    background: AuxiliaryFile | None = None
    prioritiser: AuxiliaryFile | None = None
    indel_background: AuxiliaryFile | None = None
    """E-value background of indels (``core.calibration``); without it indels get no E-value."""
    priority_background: AuxiliaryFile | None = None
    """Background priorities per variant class (``core.calibration``): the priority's rank."""
    card: dict[str, Any] = field(default_factory=dict)
    copies: tuple[ModelCopy, ...] = ()

    @property
    def feature_names(self) -> list[str]:
        return [feature.name for feature in self.features]

    @property
    def missing_scores(self) -> dict[str, str]:
        """The scores this model does not give (``evalue``, ``priority``: null in every result),
        each with why and how to add it."""
        missing = {}
        if self.background is None:
            missing["evalue"] = (
                f"evalue is null: model {self.name} has no E-value background; "
                "`logoscore-train background` computes one from a reference genome and "
                "background variants, `python -m model_export.cli --extras` adds it"
            )
        if self.prioritiser is None:
            missing["priority"] = (
                f"priority is null: model {self.name} has no prioritiser; "
                "`logoscore-train background` trains one, `python -m model_export.cli --extras` "
                "adds it"
            )
        calibration = "`python -m model_export.calibration` adds it"
        if self.background is not None and self.indel_background is None:
            missing["indel_evalue"] = (
                f"evalue is null for indels: model {self.name}'s E-value background holds SNVs "
                f"only, and an indel is not compared with SNVs; {calibration}"
            )
        if self.prioritiser is not None and self.priority_background is None:
            missing["priority_percentile"] = (
                f"priority_percentile is null: model {self.name} has no background of "
                f"priorities to rank against; {calibration}"
            )
        return missing

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "assembly": self.assembly,
            "window": self.window.to_json(),
            "tokenizer": {"version": self.tokenizer_version, "vocab_size": self.vocab_size},
            "features": [asdict(feature) for feature in self.features],
            "onnx": asdict(self.onnx),
            "copies": [copy.to_json() for copy in self.copies],
            "produced_by": self.produced_by,
            "parity": asdict(self.parity) if self.parity else {},
            "background": asdict(self.background) if self.background else None,
            "prioritiser": asdict(self.prioritiser) if self.prioritiser else None,
            "indel_background": asdict(self.indel_background) if self.indel_background else None,
            "priority_background": (
                asdict(self.priority_background) if self.priority_background else None
            ),
            "card": self.card,
            "training": self.training,
        }


class ManifestError(ValueError):
    """A model directory whose manifest is missing, malformed or does not match its files."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(manifest: ModelManifest, model_dir: Path) -> Path:
    path = model_dir / MANIFEST_FILE
    path.write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
    return path


def load_manifest(model_dir: Path) -> ModelManifest:
    """The manifest of ``model_dir``, checked against its ONNX file and this tokenizer."""
    path = model_dir / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(
            f"{model_dir} has no {MANIFEST_FILE}; point --model / LOGOSCORE_MODEL_DIR at a model "
            "directory written by model_export"
        )
    try:
        raw = json.loads(path.read_text())
        manifest = ModelManifest(
            name=raw["name"],
            version=raw["version"],
            assembly=raw["assembly"],
            window=WindowSpec.from_json(raw["window"], raw["tokenizer"]["version"]),
            features=tuple(Feature(**feature) for feature in raw["features"]),
            onnx=OnnxFile(**raw["onnx"]),
            tokenizer_version=raw["tokenizer"]["version"],
            vocab_size=raw["tokenizer"]["vocab_size"],
            produced_by=raw.get("produced_by", {}),
            parity=OnnxParity(**raw["parity"]) if raw.get("parity") else None,
            training=raw.get("training", {}),
            background=_auxiliary(raw.get("background")),
            prioritiser=_auxiliary(raw.get("prioritiser")),
            indel_background=_auxiliary(raw.get("indel_background")),
            priority_background=_auxiliary(raw.get("priority_background")),
            card=raw.get("card", {}),
            copies=tuple(
                ModelCopy.from_json(copy)
                for copy in raw.get("copies", raw.get("reduced_precision", []))
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ManifestError(f"{path} is malformed ({error!r}); re-export the model") from error
    _check_compatible(manifest, model_dir)
    return manifest


def _auxiliary(raw: dict[str, str] | None) -> AuxiliaryFile | None:
    return None if raw is None else AuxiliaryFile(file=raw["file"], sha256=raw["sha256"])


def _check_file(model_dir: Path, name: str, expected: str) -> None:
    path = model_dir / name
    if not path.is_file():
        raise ManifestError(f"{path} named by the manifest does not exist")
    actual = file_sha256(path)
    if actual != expected:
        raise ManifestError(
            f"{path} has sha256 {actual}, the manifest says {expected}: the file was changed "
            "after export; re-export the model"
        )


def _check_compatible(manifest: ModelManifest, model_dir: Path) -> None:
    vocabulary = manifest.window.vocabulary
    if (
        manifest.tokenizer_version != manifest.window.tokenizer
        or manifest.vocab_size != vocabulary.size
    ):
        raise ManifestError(
            f"model {manifest.name} was trained with tokenizer {manifest.tokenizer_version} "
            f"(vocabulary {manifest.vocab_size}); this logoscore tokenizes "
            f"{manifest.window.tokenizer} with {vocabulary.size} ids (schemes: "
            f"{', '.join(TOKENIZERS)}): retrain or use a matching logoscore"
        )
    _check_file(model_dir, manifest.onnx.file, manifest.onnx.sha256)
    auxiliaries = (manifest.background, manifest.prioritiser, manifest.indel_background)
    for auxiliary in (*auxiliaries, manifest.priority_background, *manifest.copies):
        if auxiliary is not None:
            _check_file(model_dir, auxiliary.file, auxiliary.sha256)
