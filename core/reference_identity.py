"""A reference identified by the content of its sequences, as GA4GH refget and sequence
collections (seqcol) do, not by its file name or index.

- A sequence's digest is refget's ``SQ.`` + sha512t24u of its upper-case bases (sha512t24u: the
  first 24 bytes of the SHA-512, base64url-encoded).
- The collection's digest is seqcol's level-0 digest over the arrays ``names``, ``lengths``
  and ``sequences`` in the FASTA's record order: each array's canonical JSON (RFC 8785: sorted
  keys, no spaces) is digested with sha512t24u, then the object of those three digests is.

Two FASTAs with the same records and bases have the same digest whatever their line width or
index; one base changed anywhere changes it. Reading a genome takes a while (about 10 s per GB),
so the result is cached per file, keyed by its path, size and modification time.
"""

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

BLOCK_BASES = 8 << 20


@dataclass(frozen=True)
class SequenceCollection:
    names: list[str]
    lengths: list[int]
    sequences: list[str]
    """refget digests (``SQ.``...), one per record."""
    digest: str
    """seqcol level-0 digest of the three arrays."""


def sha512t24u(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha512(data).digest()[:24]).decode()


def sequence_digest(blocks: Iterable[str]) -> str:
    """refget digest of a sequence given in consecutive blocks of upper-case bases."""
    digest = hashlib.sha512()
    for block in blocks:
        digest.update(block.encode("ascii"))
    return "SQ." + base64.urlsafe_b64encode(digest.digest()[:24]).decode()


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def collection(names: list[str], lengths: list[int], sequences: list[str]) -> SequenceCollection:
    arrays: dict[str, object] = {"names": names, "lengths": lengths, "sequences": sequences}
    level1 = {name: sha512t24u(_canonical(array)) for name, array in arrays.items()}
    return SequenceCollection(names, lengths, sequences, sha512t24u(_canonical(level1)))


ReadBlock = Callable[[str, int, int], str]
"""``(record, start, end) -> upper-case bases`` of a FASTA record, 0-based half-open."""


def compute_collection(records: dict[str, int], read: ReadBlock) -> SequenceCollection:
    """The collection of ``records`` (name -> length, in file order), read block by block."""
    sequences = [
        sequence_digest(
            read(name, start, min(start + BLOCK_BASES, length))
            for start in range(0, length, BLOCK_BASES)
        )
        for name, length in records.items()
    ]
    return collection(list(records), list(records.values()), sequences)


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "logoscore" / "reference-identity"


def cached_collection(
    fasta: Path, records: dict[str, int], read: ReadBlock, directory: Path | None = None
) -> SequenceCollection:
    """``compute_collection``, cached for the file at ``fasta`` as long as its size and
    modification time stay the same (an unwritable cache only costs the computation)."""
    stat = fasta.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    resolved = str(fasta.resolve())
    where = (
        directory or cache_directory()
    ) / f"{hashlib.sha256(resolved.encode()).hexdigest()}.json"
    try:
        kept = json.loads(where.read_text())
        if kept["file"] == resolved and kept["stamp"] == stamp:
            return SequenceCollection(**kept["collection"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = compute_collection(records, read)
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(
            json.dumps({"file": resolved, "stamp": stamp, "collection": asdict(found)})
        )
    except OSError:
        pass
    return found
