"""BGZF, the blocked gzip of htslib (SAM/BAM specification, section 4.1): what ``bgzip`` writes
and ``bcftools``/``tabix`` read. Each block is a gzip member of at most 64 KiB with a ``BC``
extra field holding its size; the file ends with the fixed empty block."""

import io
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from typing_extensions import Buffer

BLOCK_INPUT = 0xFF00
"""Uncompressed bytes per block, as htslib: deflate output then always fits in 64 KiB."""
EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _block(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    header = struct.pack(
        "<4BI2BH2BHH",
        0x1F,
        0x8B,
        8,
        4,
        0,
        0,
        0xFF,
        6,
        ord("B"),
        ord("C"),
        2,
        len(deflated) + 25,
    )
    trailer = struct.pack("<2I", zlib.crc32(data), len(data))
    return header + deflated + trailer


class BgzfWriter(io.RawIOBase):
    """A binary stream that writes BGZF blocks to ``target`` (closed with this writer)."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        self._pending += data
        while len(self._pending) >= BLOCK_INPUT:
            self._target.write(_block(bytes(self._pending[:BLOCK_INPUT])))
            del self._pending[:BLOCK_INPUT]
        return memoryview(data).nbytes

    def close(self) -> None:
        if self.closed:
            return
        if self._pending:
            self._target.write(_block(bytes(self._pending)))
            self._pending.clear()
        self._target.write(EOF_BLOCK)
        self._target.close()
        super().close()


def bgzf_blocks(pieces: Iterable[str]) -> Iterator[bytes]:
    """``pieces`` of text as BGZF, block by block as they fill, then the end-of-file block: a
    streamed response that ``bgzip -d``, ``bcftools`` and ``tabix`` read."""
    pending = bytearray()
    for piece in pieces:
        pending += piece.encode("utf-8")
        while len(pending) >= BLOCK_INPUT:
            yield _block(bytes(pending[:BLOCK_INPUT]))
            del pending[:BLOCK_INPUT]
    if pending:
        yield _block(bytes(pending))
    yield EOF_BLOCK


def open_text_output(path: Path, bgzipped: bool) -> TextIO:
    """``path`` opened for writing text, through BGZF when ``bgzipped``."""
    if not bgzipped:
        return path.open("w", encoding="utf-8")
    return io.TextIOWrapper(io.BufferedWriter(BgzfWriter(path.open("wb"))), encoding="utf-8")
