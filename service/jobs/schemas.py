"""The job routes' response bodies."""

from pydantic import BaseModel, Field

from service.jobs.records import JobState


class JobStatus(BaseModel):
    id: str
    state: JobState
    variants_total: int = Field(description="input ALTs in the uploaded VCF")
    variants_done: int
    chunks_total: int
    chunks_done: int
    summary: dict[str, int] = Field(
        description="count per status of the variants done so far (every status listed)"
    )
    warnings: list[str] = Field(
        description="once finished, the warnings its result carries (e.g. another assembly, "
        "few variants scored); [] before"
    )
    error: str | None = None
    created: float = Field(description="Unix time the job was submitted")
