import pytest

from core.classify import Rejection, ScorableVariant, prepare
from core.normalize import NormalizedAlleles
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import parse_variant_string
from core.windows import WindowSpec

SPEC = WindowSpec()


def _prepare(
    text: str, reference: ReferenceGenome, max_allele_length: int = 100
) -> ScorableVariant | Rejection:
    (parsed,) = parse_variant_string(text, record=0)
    return prepare(parsed, reference, SPEC, max_allele_length)


def test_a_matching_snv_gets_windows(slice_reference: ReferenceGenome) -> None:
    prepared = _prepare("chr20:1292033:C:T", slice_reference)
    assert isinstance(prepared, ScorableVariant) and prepared.windows.contig == "20"
    assert prepared.normalized == NormalizedAlleles(1_292_033, "C", "T")


def test_an_indel_is_windowed_at_its_left_aligned_position(
    slice_reference: ReferenceGenome,
) -> None:
    # chr20:1,282,147-1,282,164 is TTC + 12 T + AAT: a T deleted at the run's right end
    prepared = _prepare("20:1282160:TT:T", slice_reference)
    assert isinstance(prepared, ScorableVariant)
    assert prepared.normalized == NormalizedAlleles(1_282_149, "CT", "C")
    assert prepared.windows.start == 1_282_149 - 1 - SPEC.anchor_index
    anchor = SPEC.anchor_index
    assert prepared.windows.ref[anchor : anchor + 14] == "CTTTTTTTTTTTTA"
    assert prepared.windows.alt[anchor : anchor + 13] == "CTTTTTTTTTTTA"


def test_alleles_past_the_limit_are_too_long(slice_reference: ReferenceGenome) -> None:
    ref = slice_reference.fetch("20", 1_290_000, 1_290_012)
    prepared = _prepare(f"20:1290001:{ref}:{ref[0]}", slice_reference, max_allele_length=10)
    assert isinstance(prepared, Rejection) and prepared.status is Status.TOO_LONG
    assert "12 bp (normalised) is longer than the 10 bp" in prepared.message
    assert isinstance(_prepare(f"20:1290001:{ref}:{ref[0]}", slice_reference), ScorableVariant)
    # 12 bp written, but a 2 bp deletion once the shared bases are trimmed
    padded = _prepare(f"20:1290001:{ref}:{ref[:9] + ref[11]}", slice_reference, 10)
    assert isinstance(padded, ScorableVariant)
    assert len(padded.normalized.ref) - len(padded.normalized.alt) == 2


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
