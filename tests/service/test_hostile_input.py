"""Hostile and broken input: every one gets a 4xx with a message (or scores with a per-variant
status), never a 5xx, and the server keeps serving."""

import gzip
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.variants import InvalidInput, parse_variant_string
from tests.core.test_vcf import truncated_gzip_vcf

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(st.text(max_size=60))
@settings(max_examples=400, deadline=None)
def test_any_variant_string_parses_or_comes_back_invalid_with_a_message(text: str) -> None:
    for parsed in parse_variant_string(text, 0):
        if isinstance(parsed, InvalidInput):
            assert parsed.message


def _upload(  # type: ignore[no-untyped-def]
    client: TestClient,
    content: bytes,
    name: str = "in.vcf",
    media: str = "text/plain",
    route: str = "/score/vcf",
):
    return client.post(route, files={"file": (name, content, media)})


def _assert_answered(response, allowed: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["detail"], response.text


@given(st.binary(max_size=3000))
@FUZZ
def test_binary_junk_uploads_are_refused_with_a_message(client: TestClient, junk: bytes) -> None:
    _assert_answered(_upload(client, junk), (200, 400))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["20", "chr20", "X", "", "20 ", "٢٠"]),
            st.one_of(st.integers(-(10**20), 10**20).map(str), st.text(max_size=8)),
            st.text(alphabet="ACGTNacgt<>*.,[]X", max_size=6),
            st.text(alphabet="ACGTNacgt<>*.,[]X", max_size=6),
        ),
        max_size=8,
    )
)
@FUZZ
def test_mangled_vcf_records_each_come_back_with_a_status(
    client: TestClient, rows: list[tuple[str, str, str, str]]
) -> None:
    body = HEADER + "".join(f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\n" for c, p, r, a in rows)
    response = _upload(client, body.encode())
    _assert_answered(response, (200, 400))
    if response.status_code == 200:
        assert all(result["status"] for result in response.json()["results"])


def json_trees(leaves: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """JSON-like values: lists and objects of ``leaves``, up to 12 of them."""
    return st.recursive(
        leaves,
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=5), c, max_size=4),
        max_leaves=12,
    )


@given(json_trees(st.none() | st.booleans() | st.integers() | st.text(max_size=10)))
@FUZZ
def test_any_json_body_for_score_is_answered_with_a_4xx_or_results(
    client: TestClient, body: object
) -> None:
    _assert_answered(client.post("/score", json=body), (200, 413, 422))
    _assert_answered(client.post("/score", json={"variants": body}), (200, 413, 422))


@pytest.mark.parametrize("position", [-1, 0, 2**31, 2**63, 10**30])
def test_negative_and_huge_positions_are_statuses_not_errors(
    client: TestClient, position: int
) -> None:
    response = client.post(
        "/score",
        json={
            "variants": [
                f"20:{position}:A:G",
                {"chrom": "20", "pos": position, "ref": "A", "alt": "G"},
            ]
        },
    )
    _assert_answered(response, (200, 422))
    if response.status_code == 200:
        assert {r["status"] for r in response.json()["results"]} <= {"invalid", "out_of_bounds"}
    vcf = HEADER + f"20\t{position}\t.\tA\tG\t.\tPASS\t.\n"
    upload = _upload(client, vcf.encode())
    _assert_answered(upload, (200,))
    assert upload.json()["results"][0]["status"] in {"invalid", "out_of_bounds"}


def test_a_truncated_gzip_is_400(client: TestClient) -> None:
    whole = gzip.compress((HEADER + "20\t1292033\t.\tC\tT\t.\tPASS\t.\n" * 500).encode())
    _assert_answered(_upload(client, whole[: len(whole) // 2], "in.vcf.gz"), (400,))


def test_a_gzip_cut_off_among_its_records_is_400_for_scoring_and_jobs(
    client: TestClient, tmp_path: Path
) -> None:
    cut = truncated_gzip_vcf(tmp_path / "cut.vcf.gz").read_bytes()
    for route in ("/score/vcf", "/jobs"):
        response = client.post(route, files={"file": ("cut.vcf.gz", cut, "application/gzip")})
        _assert_answered(response, (400,))
        assert "cut off or damaged after line" in response.json()["detail"]


def test_a_10_mb_header_line_is_answered(client: TestClient) -> None:
    body = "##fileformat=VCFv4.2\n##note=" + "x" * 10_000_000 + "\n" + HEADER.split("\n", 1)[1]
    body += "20\t1292033\t.\tC\tT\t.\tPASS\t.\n"
    for route in ("/score/vcf", "/jobs"):
        response = _upload(client, body.encode(), route=route)
        _assert_answered(response, (413,))
        assert "LOGOSCORE_MAX_LINE_BYTES" in response.json()["detail"]


def test_a_header_with_a_million_contigs_is_answered(client: TestClient) -> None:
    contigs = "".join(f"##contig=<ID=c{i},length=1000>\n" for i in range(1_000_000))
    body = "##fileformat=VCFv4.2\n" + contigs + HEADER.split("\n", 1)[1]
    body += "20\t1292033\t.\tC\tT\t.\tPASS\t.\n"
    compressed = gzip.compress(body.encode(), 1)
    for route in ("/score/vcf", "/jobs"):
        response = _upload(client, compressed, "in.vcf.gz", route=route)
        _assert_answered(response, (413,))
        assert "LOGOSCORE_MAX_HEADER_LINES" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"variants": ["20:1292033:C:T"]}', {"content-type": "text/plain"}),
        (b"variants=20:1292033:C:T", {"content-type": "application/x-www-form-urlencoded"}),
        (b"\x00\xff" * 50, {"content-type": "application/json"}),
        (b'{"variants": ', {"content-type": "application/json"}),
    ],
)
def test_wrong_content_types_and_broken_json_are_422(
    client: TestClient, content: bytes, headers: dict[str, str]
) -> None:
    _assert_answered(client.post("/score", content=content, headers=headers), (422,))


def test_score_vcf_without_a_file_or_as_json_is_422(client: TestClient) -> None:
    _assert_answered(client.post("/score/vcf"), (422,))
    _assert_answered(client.post("/score/vcf", json={"file": "x"}), (422,))
    _assert_answered(client.post("/jobs", content=json.dumps({}).encode()), (422,))


def test_the_server_still_serves_after_hostile_input(client: TestClient) -> None:
    """Order-independent: the hostile inputs are sent here, then a variant is scored."""
    whole = gzip.compress((HEADER + "20\t1292033\t.\tC\tT\t.\tPASS\t.\n" * 50).encode())
    _assert_answered(_upload(client, whole[: len(whole) // 2], "in.vcf.gz"), (400,))
    _assert_answered(_upload(client, b"\x00\xff" * 100), (400,))
    _assert_answered(_upload(client, (HEADER + "20\tx\n").encode(), route="/jobs"), (202,))
    body = '{"variants": ["20:1292033:C:T"], "top_k": NaN}'
    headers = {"content-type": "application/json"}
    _assert_answered(client.post("/score", content=body, headers=headers), (422,))
    response = client.post("/score", json={"variants": ["20:1292033:C:T"]})
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "scored"


@pytest.mark.parametrize("position", ["²", "٢٠", "1e3", "0x10"])
def test_positions_that_are_digits_only_to_unicode_are_invalid(
    client: TestClient, position: str
) -> None:
    vcf = HEADER + f"20\t{position}\t.\tA\tG\t.\tPASS\t.\n"
    upload = _upload(client, vcf.encode())
    _assert_answered(upload, (200,))
    assert upload.json()["results"][0]["status"] == "invalid"
    as_string = client.post("/score", json={"variants": [f"20:{position}:A:G"]}).json()
    assert as_string["results"][0]["status"] == "invalid"


def _has_non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(map(_has_non_finite, value))
    if isinstance(value, dict):
        return any(map(_has_non_finite, value.values()))
    return False


@given(json_trees(st.none() | st.floats() | st.integers() | st.text(max_size=10)))
@FUZZ
def test_non_finite_numbers_anywhere_in_a_json_body_are_422(
    client: TestClient, variants: object
) -> None:
    for body in (variants, {"variants": variants}, {"variants": ["20:1292033:C:T"], "x": variants}):
        content = json.dumps(body, allow_nan=True)
        response = client.post(
            "/score", content=content, headers={"content-type": "application/json"}
        )
        _assert_answered(response, (200, 413, 422))
        if _has_non_finite(body):
            assert response.status_code == 422 and "finite numbers" in response.text
