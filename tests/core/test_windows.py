import pytest

from core.reference import ReferenceGenome
from core.windows import (
    WindowSpec,
    allele_windows,
    reference_window,
    reverse_complement,
    window_bounds,
)
from tests.conftest import SLICE_START, slice_sequence

SPEC = WindowSpec(length=1000, k=5)


def _slice(start: int, end: int) -> str:
    """True 0-based half-open [start, end) of chr20, from the raw test slice."""
    return slice_sequence()[start - SLICE_START : end - SLICE_START]


def test_window_convention_numbers() -> None:
    assert SPEC.anchor_index == 499  # the variant is the 500th base, as in DeepSEA
    assert SPEC.read_length == 1004  # 1000 + k - 1: five frames of 200 whole 5-mers
    assert SPEC.start_for(1_292_032) == 1_291_533


def test_snv_windows_against_hand_computed_coordinates(slice_reference: ReferenceGenome) -> None:
    # 20:1292033 C>T: anchor 0-based 1,292,032; window [1,291,533, 1,292,537)
    windows = allele_windows(slice_reference, "20", 1_292_033, "C", "T", SPEC)
    expected_ref = _slice(1_291_533, 1_292_537)
    assert windows.start == 1_291_533
    assert windows.ref == expected_ref
    assert windows.ref[499] == "C"
    assert windows.alt == expected_ref[:499] + "T" + expected_ref[500:]


def test_insertion_pushes_downstream_bases_out(slice_reference: ReferenceGenome) -> None:
    # the real vt-examples record 20:1292033 C>CTTGT
    windows = allele_windows(slice_reference, "20", 1_292_033, "C", "CTTGT", SPEC)
    upstream = _slice(1_291_533, 1_292_032)
    downstream = _slice(1_292_033, 1_292_033 + 1004 - 499 - 5)
    assert windows.alt == upstream + "CTTGT" + downstream
    assert len(windows.alt) == 1004


def test_deletion_fills_the_window_from_downstream_reference(
    slice_reference: ReferenceGenome,
) -> None:
    ref = _slice(1_290_099, 1_290_102)  # three reference bases at 1-based 1,290,100
    windows = allele_windows(slice_reference, "20", 1_290_100, ref, ref[0], SPEC)
    start = 1_290_099 - 499
    assert windows.alt == _slice(start, 1_290_100) + _slice(1_290_102, start + 1004 + 2)
    assert len(windows.alt) == 1004


def test_bin_anchor_centres_a_200_bp_bin(slice_reference: ReferenceGenome) -> None:
    bin_start = 1_290_000
    window = reference_window(slice_reference, "20", bin_start + 99, SPEC)
    assert window == _slice(bin_start - 400, bin_start - 400 + 1004)


def test_reverse_complement() -> None:
    assert reverse_complement("AACGTN") == "NACGTT"


def test_window_length_must_be_a_multiple_of_k() -> None:
    with pytest.raises(ValueError, match="multiple of k=3"):
        WindowSpec(length=1000, k=3)


LOGO_TAIL = WindowSpec(length=1000, k=5, frame_tail="n-padded")


def test_an_n_padded_window_reads_exactly_its_length_and_pads_the_frames_with_n(
    slice_reference: ReferenceGenome,
) -> None:
    # as LOGO reads a DeepSEA window: 1000 bases, frames 1-4 ending in a k-mer padded with N
    assert (LOGO_TAIL.fetched_length, LOGO_TAIL.read_length) == (1000, 1004)
    windows = allele_windows(slice_reference, "20", 1_292_033, "C", "T", LOGO_TAIL)
    expected_ref = _slice(1_291_533, 1_292_533)
    assert windows.ref == expected_ref + "NNNN"
    assert windows.alt == expected_ref[:499] + "T" + expected_ref[500:] + "NNNN"
    deletion = allele_windows(slice_reference, "20", 1_292_033, "CA", "C", LOGO_TAIL)
    assert len(deletion.alt) == 1004 and deletion.alt.endswith("NNNN")
    assert window_bounds(1_292_033, "C", "T", LOGO_TAIL) == (1_291_533, 1_292_533)
    assert reference_window(slice_reference, "20", 1_292_032, LOGO_TAIL) == windows.ref


def test_the_window_form_round_trips_and_reads_old_manifests() -> None:
    assert WindowSpec.from_json(LOGO_TAIL.to_json()) == LOGO_TAIL
    assert WindowSpec.from_json({"length": 1000, "k": 5}) == SPEC  # written before frame_tail
    with pytest.raises(ValueError, match="frame_tail 'zeros' is not one of reference, n-padded"):
        WindowSpec.from_json({"length": 1000, "k": 5, "frame_tail": "zeros"})
