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
    error: str | None = None
    created: float = Field(description="Unix time the job was submitted")
