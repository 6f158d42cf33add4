"""What every output names: the model (with its sha256) and the reference."""

from dataclasses import dataclass

from core.reference import ReferenceGenome
from service.results import model_info, reference_info
from service.schemas import ModelInfo, ReferenceInfo
from service.scoring.model import ModelFile, OnnxModel


@dataclass(frozen=True)
class Provenance:
    model: ModelInfo
    reference: ReferenceInfo

    @classmethod
    def of(
        cls, model: OnnxModel, reference: ReferenceGenome, file: ModelFile | None = None
    ) -> "Provenance":
        """``model`` (``file`` where another file of it scored: a job's) and ``reference``."""
        return cls(model_info(model, file), reference_info(reference))

    def lines(self) -> list[str]:
        """``model: ...`` and ``reference: ...``, for comment and meta lines."""
        model, reference = self.model, self.reference
        return [
            f"model: {model.name} {model.version} sha256={model.sha256} "
            f"precision={model.precision} graph={model.graph} assembly={model.assembly}",
            f"reference: {reference.file} seqcol={reference.digest}",
        ]

    def footnote(self) -> str:
        """Two lines naming the model and the reference under a picture."""
        model, reference = self.model, self.reference
        return (
            f"model {model.name} {model.version} ({model.precision}, {model.graph}) "
            f"sha256 {model.sha256}\n"
            f"reference {reference.file} seqcol {reference.digest}"
        )
