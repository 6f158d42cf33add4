"""Bounded line reading: limits hit while streaming, line ends as htslib reads them."""

import io
import time

import pytest

from core.input_limits import (
    UNBOUNDED,
    DeadlinePassedError,
    InputLimitError,
    ReadLimits,
    bounded_lines,
)


class CountingStream(io.BytesIO):
    """Bytes handed out so far: a limit must stop reading, not just the answer."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed_out = 0

    def read(self, size: int | None = -1, /) -> bytes:
        block = super().read(size)
        self.handed_out += len(block)
        return block


def _lines(data: bytes, limits: ReadLimits = UNBOUNDED) -> list[tuple[int, str]]:
    return list(bounded_lines(io.BytesIO(data), limits))


def test_lf_crlf_bom_and_a_lone_cr_inside_a_line() -> None:
    data = b"\xef\xbb\xbf##a\r\n\r\nx\ty\rz\tw\nlast"
    assert _lines(data) == [(1, "##a"), (2, ""), (3, "x\ty\rz\tw"), (4, "last")]


def test_cr_only_line_endings_are_read_as_lines() -> None:
    assert _lines(b"##a\r#CHROM\r20\t1\r") == [(1, "##a"), (2, "#CHROM"), (3, "20\t1")]


def test_a_long_line_stops_reading_at_the_limit_not_at_its_end() -> None:
    stream = CountingStream(b"##" + b"x" * (50 << 20) + b"\n")
    with pytest.raises(InputLimitError, match=r"line 1 is longer than 1,000 bytes") as caught:
        list(bounded_lines(stream, ReadLimits(max_line_bytes=1000)))
    assert caught.value.limit == "max_line_bytes"
    assert stream.handed_out <= 1 << 20  # one block, of 50 MB


def test_decompressed_bytes_are_counted_as_they_stream() -> None:
    stream = CountingStream(b"\n" * (10 << 20))
    with pytest.raises(InputLimitError, match=r"inflates past 2,097,152 bytes") as caught:
        list(bounded_lines(stream, ReadLimits(max_bytes=2 << 20)))
    assert caught.value.limit == "max_bytes" and stream.handed_out == 3 << 20


def test_a_deadline_in_the_past_stops_reading() -> None:
    with pytest.raises(DeadlinePassedError):
        _lines(b"a\n", ReadLimits(deadline=time.monotonic() - 1))
