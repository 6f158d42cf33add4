"""A region's mutagenesis sites: three SNVs per known base, in ACGT order, and a status for a
base that is N or outside the sequence held."""

import pytest

from core.ism import BASES, RegionError, mutagenesis_region, mutagenesis_sites, site_line
from core.reference import ReferenceGenome
from core.status import Status
from tests.conftest import slice_sequence


def test_every_known_base_gets_its_three_snvs_in_base_order(
    slice_reference: ReferenceGenome,
) -> None:
    region = mutagenesis_region(slice_reference, "chr20", 1_292_031, 1_292_035)
    sites = mutagenesis_sites(slice_reference, region)
    sequence = slice_sequence()
    assert [site.pos for site in sites] == list(range(1_292_031, 1_292_036))
    assert "".join(site.ref or "" for site in sites) == sequence[12_030:12_035] == "TGCTT"
    for site in sites:
        assert site.rejection is None
        assert [(v.chrom, v.pos, v.ref) for v in site.variants] == [
            ("chr20", site.pos, site.ref)
        ] * 3
        assert [v.alt for v in site.variants] == [b for b in BASES if b != site.ref]
    assert sites[2].variants[1].origin.text == "chr20:1292033:C:G"


def test_positions_outside_the_sequence_held_are_out_of_bounds(
    slice_reference: ReferenceGenome,
) -> None:
    region = mutagenesis_region(slice_reference, "20", 1_279_999, 1_280_002)
    sites = mutagenesis_sites(slice_reference, region)
    assert [site.ref for site in sites] == [None, None, *slice_sequence()[:2]]
    assert [site.rejection.status if site.rejection else None for site in sites] == [
        Status.OUT_OF_BOUNDS,
        Status.OUT_OF_BOUNDS,
        None,
        None,
    ]
    rejection = sites[0].rejection
    assert rejection is not None and "20:1280001-1300000" in rejection.message


def test_a_region_wholly_outside_is_read_without_fetching(slice_reference: ReferenceGenome) -> None:
    region = mutagenesis_region(slice_reference, "20", 10, 12)
    assert {
        s.rejection.status for s in mutagenesis_sites(slice_reference, region) if s.rejection
    } == {Status.OUT_OF_BOUNDS}


@pytest.mark.parametrize(
    ("chrom", "start", "end", "limit", "says"),
    [
        ("chrX", 1, 2, None, "contig 'chrX' is not in reference"),
        ("20", 5, 4, None, "1 <= start <= end"),
        ("20", 0, 4, None, "1 <= start <= end"),
        ("20", 1_290_001, 1_290_101, 100, "101 bp; at most 100 bp"),
    ],
)
def test_regions_that_cannot_be_mutated_say_why(
    slice_reference: ReferenceGenome, chrom: str, start: int, end: int, limit: int | None, says: str
) -> None:
    with pytest.raises(RegionError, match=says):
        mutagenesis_region(slice_reference, chrom, start, end, limit)


def test_a_site_is_written_as_a_vcf_line_its_snvs_as_alts(slice_reference: ReferenceGenome) -> None:
    region = mutagenesis_region(slice_reference, "chr20", 1_279_999, 1_280_001)
    lines = [site_line(region, site) for site in mutagenesis_sites(slice_reference, region)]
    base = slice_sequence()[0]
    others = ",".join(b for b in BASES if b != base)
    assert lines == [
        "chr20\t1279999\t.\tN\tA,C,G,T\t.\t.\t.",  # outside the slice: N, VCF's unknown base
        "chr20\t1280000\t.\tN\tA,C,G,T\t.\t.\t.",
        f"chr20\t1280001\t.\t{base}\t{others}\t.\t.\t.",
    ]
