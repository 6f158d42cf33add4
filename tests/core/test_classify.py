import pytest

from core.classify import Rejection, prepare
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import parse_variant_string
from core.windows import AlleleWindows, WindowSpec

SPEC = WindowSpec()


def _prepare(text: str, reference: ReferenceGenome) -> AlleleWindows | Rejection:
    (parsed,) = parse_variant_string(text, record=0)
    return prepare(parsed, reference, SPEC)


def test_a_matching_snv_gets_windows(slice_reference: ReferenceGenome) -> None:
    prepared = _prepare("chr20:1292033:C:T", slice_reference)
    assert isinstance(prepared, AlleleWindows) and prepared.contig == "20"


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("20:1292033:A:T", Status.REF_MISMATCH, "REF 'A' does not match the reference 'C'"),
        ("1:1292033:C:T", Status.UNKNOWN_CONTIG, "'1' is not in reference"),
        ("20:1000:A:T", Status.OUT_OF_BOUNDS, "outside the reference sequence held"),
        ("20:1280100:A:G", Status.OUT_OF_BOUNDS, "window around 20:1280100 reaches past"),
        ("20:1292033:C:<DEL>", Status.UNSUPPORTED_ALLELE, "symbolic"),
        ("20:1292033:C:*", Status.UNSUPPORTED_ALLELE, "symbolic"),
        ("20:1292033:C:R", Status.UNSUPPORTED_ALLELE, "IUPAC"),
        ("20:1292033:C:C", Status.INVALID, "nothing changes"),
        ("20:1292033:C:T!", Status.INVALID, "not a sequence"),
        ("nonsense", Status.INVALID, "cannot read"),
    ],
)
def test_each_rejection_has_its_status_and_a_message(
    slice_reference: ReferenceGenome, text: str, status: Status, words: str
) -> None:
    prepared = _prepare(text, slice_reference)
    assert isinstance(prepared, Rejection)
    assert prepared.status is status
    assert words in prepared.message
