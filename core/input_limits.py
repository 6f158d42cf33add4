"""Bounded reading of text input: limits enforced while the bytes stream in, never after.

A VCF.gz of a few MB can inflate to many GB, and one line can be the whole file. Reading here
goes block by block through the decompressed stream and stops at the moment a limit is crossed:

- ``max_bytes``: decompressed bytes in all;
- ``max_line_bytes``: bytes in one line (the line is never held past it);
- ``max_header_lines``: ``#`` lines before the first record (``core.vcf``);
- ``max_variants``: data lines, each counting its ALTs and blank lines counting one
  (``core.vcf``);
- ``deadline``: a ``time.monotonic()`` past which reading stops (the request it serves timed
  out), checked every block.

``None`` means no limit. Lines end in LF, with a CR before it removed (CRLF files). A CR inside
a line is data, as htslib and bcftools read it; a file whose first line ends in a lone CR (classic
Mac endings) is read with CR as the line end. A UTF-8 byte order mark at the start is skipped.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

BLOCK_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int | None = None
    max_line_bytes: int | None = None
    max_header_lines: int | None = None
    max_variants: int | None = None
    deadline: float | None = None


UNBOUNDED = ReadLimits()


class InputLimitError(ValueError):
    """An input past one of its ``ReadLimits``; ``limit`` names the field crossed."""

    def __init__(self, limit: str, value: int, message: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value


class DeadlinePassedError(RuntimeError):
    """Work stopped at its deadline: whoever asked for it no longer waits."""


class ByteStream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def bounded_lines(stream: ByteStream, limits: ReadLimits) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of ``stream`` (1-based, line end removed)."""
    pieces: list[bytes] = []  # the current line, not yet ended
    pending = 0  # its length
    number = 0
    total = 0
    terminator: bytes | None = None
    while block := stream.read(BLOCK_BYTES):
        total += len(block)
        _check_bytes(total, limits)
        check_deadline(limits.deadline)
        if terminator is None:
            if total == len(block) and block.startswith(_BOM):
                block = block[len(_BOM) :]
            terminator = _line_end(block)
        parts = block.split(terminator or b"\n")
        for part in parts[:-1]:
            number += 1
            if pieces:
                part = b"".join(pieces) + part
                pieces, pending = [], 0
            _check_line(len(part), number, limits)
            yield number, _decode(part)
        last = parts[-1]
        if last:
            pieces.append(last)
            pending += len(last)
            _check_line(pending, number + 1, limits)
    if pieces:
        yield number + 1, _decode(b"".join(pieces))


def check_deadline(deadline: float | None) -> None:
    """``DeadlinePassedError`` once ``time.monotonic()`` is past ``deadline``."""
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlinePassedError("stopped: the request's time ran out")


def _line_end(block: bytes) -> bytes | None:
    """LF, or CR when the first line ends in a CR not followed by LF; ``None`` until a line
    end is seen."""
    lf, cr = block.find(b"\n"), block.find(b"\r")
    if cr >= 0 and (lf < 0 or cr < lf) and cr + 1 < len(block) and block[cr + 1] != 0x0A:
        return b"\r"
    return b"\n" if lf >= 0 else None


def _decode(line: bytes) -> str:
    if line.endswith(b"\r"):
        line = line[:-1]
    return line.decode("utf-8", errors="replace")


def _check_bytes(total: int, limits: ReadLimits) -> None:
    if limits.max_bytes is not None and total > limits.max_bytes:
        raise InputLimitError(
            "max_bytes",
            limits.max_bytes,
            f"the input inflates past {limits.max_bytes:,} bytes; reading stopped there",
        )


def _check_line(length: int, number: int, limits: ReadLimits) -> None:
    if limits.max_line_bytes is not None and length > limits.max_line_bytes:
        raise InputLimitError(
            "max_line_bytes",
            limits.max_line_bytes,
            f"line {number} is longer than {limits.max_line_bytes:,} bytes; reading stopped there",
        )
