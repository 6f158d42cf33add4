"""What a job is: its record, its input chunks and the chunks' outputs (JSON in the store)."""

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


@dataclass(frozen=True)
class JobRecord:
    id: str
    owner: str
    """The name of the API key that submitted it (``service.access``): only it sees the job."""
    created: float
    model_sha256: str
    """The ONNX sha256 of the model file its workers run (``ModelFile.run_id``: with the
    engine, for TensorRT): only workers running this model file so take the job's chunks."""
    reference_digest: str
    """The reference's sequence-collection digest: only workers with this reference take them."""
    chunk_variants: list[int]
    """Input ALTs per chunk: the progress counts them."""
    features: list[str] | None = None
    top_k: int | None = None
    model_precision: str | None = None
    """That file's precision and graph (``ModelFile``), named in the job's results; ``None`` in
    records written before they were kept (the API's own file is named then)."""
    model_graph: str | None = None
    region: str | None = None
    """``CONTIG:START-END`` of an in-silico mutagenesis job (``service.jobs.ism``); ``None`` for
    an uploaded VCF."""

    @property
    def total(self) -> int:
        return sum(self.chunk_variants)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "JobRecord":
        return cls(**json.loads(text))


@dataclass(frozen=True)
class JobProgress:
    """What the store knows of a job's run: the chunks done, whether one has started, and
    the failure that ended it, if any."""

    done: set[int]
    started: bool
    failure: str | None
    counts: dict[str, int] = field(default_factory=dict)
    """Count per status over the chunks done."""


def summed(chunk_counts: list[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counts in chunk_counts:
        total.update(counts)
    return dict(total)


@dataclass(frozen=True)
class ChunkInput:
    first_index: int
    """0-based ordinal of the chunk's first record in the input."""
    lines: list[str]
    line_numbers: list[int]
    """1-based line number of each record in the input file."""
    variants: int
    """Input ALTs in the chunk."""

    def to_json(self) -> str:
        return json.dumps(vars(self))  # its fields are JSON values: asdict would copy them

    @classmethod
    def from_json(cls, text: str | bytes) -> "ChunkInput":
        return cls(**json.loads(text))


@dataclass(frozen=True)
class ChunkOutput:
    """A scored chunk: per record, its inputs' stored scores (``VariantScore.stored``), in
    order. Rendered in the format asked for when the job's result is fetched."""

    scores: list[list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        """Count per status of the chunk's inputs."""
        return dict(Counter(item["status"] for record in self.scores for item in record))

    def to_json(self) -> str:
        # the same text as json.dumps(asdict(self)), without asdict's deep copy of every score
        # (14.5 -> 5.5 µs a variant, in each worker, for each chunk it stores)
        return json.dumps(vars(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "ChunkOutput":
        raw: dict[str, Any] = json.loads(text)
        return cls(**raw)
