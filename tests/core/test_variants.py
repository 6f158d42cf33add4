import pytest

from core.variants import InvalidInput, Origin, Variant, parse_variant_string, variant_from_fields


@pytest.mark.parametrize(
    "text",
    ["20:1292033:C:T", "chr20-1292033-C-T", "20_1292033_C_T", "20:1292033 C>T", " 20:1292033:c:t "],
)
def test_string_forms(text: str) -> None:
    (variant,) = parse_variant_string(text, record=3)
    assert isinstance(variant, Variant)
    assert (variant.pos, variant.ref, variant.alt) == (1292033, "C", "T")
    assert variant.chrom in ("20", "chr20")
    assert variant.origin.record == 3 and variant.origin.text == text


def test_contig_names_with_underscores_are_kept_whole() -> None:
    (variant,) = parse_variant_string("chrUn_gl000220-1000-A-C", record=0)
    assert isinstance(variant, Variant) and variant.chrom == "chrUn_gl000220"


def test_each_alt_is_its_own_variant_pointing_back_to_its_record() -> None:
    variants = parse_variant_string("20:1292033:C:T,G", record=7)
    assert [
        (v.alt, v.origin.record, v.origin.alt_index) for v in variants if isinstance(v, Variant)
    ] == [
        ("T", 7, 0),
        ("G", 7, 1),
    ]


@pytest.mark.parametrize("text", ["garbage", "20:abc:C:T", "20:1292033:C", ""])
def test_unreadable_strings_are_invalid_with_the_accepted_forms(text: str) -> None:
    (parsed,) = parse_variant_string(text, record=0)
    assert isinstance(parsed, InvalidInput)
    assert "CHROM:POS:REF:ALT" in parsed.message


def test_positions_start_at_1() -> None:
    (parsed,) = variant_from_fields("20", 0, "C", "T", Origin(record=0))
    assert isinstance(parsed, InvalidInput) and "1-based" in parsed.message


@pytest.mark.parametrize("text", ["20:-1:A:G", "20--1-A-G", "20_-7_A_G"])
def test_a_negative_position_is_never_read_as_a_positive_one(text: str) -> None:
    (parsed,) = parse_variant_string(text, record=0)
    assert isinstance(parsed, InvalidInput) and "1-based" in parsed.message


def test_two_separators_in_a_row_do_not_make_a_variant() -> None:
    (parsed,) = parse_variant_string("20::1292033:C:T", record=0)
    assert isinstance(parsed, InvalidInput)
