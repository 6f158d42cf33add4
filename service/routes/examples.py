"""``GET /examples/demo_variants.vcf``: a small VCF to try the upload routes with.

Swagger UI cannot fill in a file for ``POST /score/vcf`` or ``POST /jobs``; this route gives one
to download and choose in their forms: twelve real 1000 Genomes SNVs (sites only, no samples)
on the bundled demo reference slice, GRCh37 20:1-6000000. Open, like the probes: it holds no
user data.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

EXAMPLE_VCF = Path(__file__).resolve().parents[1] / "examples" / "demo_variants.vcf"

router = APIRouter(tags=["examples"])


@router.get(
    "/examples/demo_variants.vcf",
    operation_id="example-vcf",
    response_class=FileResponse,
    responses={200: {"content": {"text/plain": {}}, "description": "a VCF (v4.2) file"}},
    summary="Download an example VCF for the upload forms",
)
def example_vcf() -> FileResponse:
    """Twelve real SNVs on the demo reference slice; upload it to ``POST /score/vcf`` or
    ``POST /jobs``."""
    return FileResponse(EXAMPLE_VCF, media_type="text/plain", filename=EXAMPLE_VCF.name)
