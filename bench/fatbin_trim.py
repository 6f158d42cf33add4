"""Zero the GPU code a benchmark never runs in a CUDA shared library's ``.nv_fatbin``.

A CUDA library carries machine code (cubin) for several GPU generations and PTX. The driver
loads the entry for the GPU it runs on, so on an H100/H200 (``sm_90``) the other entries are
never read; zeroed, they compress to almost nothing. With ``--drop`` (a regular expression),
the kept generation's entries that define a kernel whose name matches are zeroed too: each
entry is one compiled source file, so a file of LLM or MoE kernels goes whole. Entries are
zstd-compressed cubins (``zstandard`` reads their kernel names). That is how
``bench/gpu_carry.sh`` fits onnxruntime-gpu into the device machine's transfer limit. The file
keeps its size and layout; only entry payloads change. Not for shipping: a trimmed library runs
on one GPU generation, and a kernel zeroed by mistake fails there with "no kernel image".

    python bench/fatbin_trim.py LIBRARY.so --keep 90 [--drop REGEX]
"""

import argparse
import mmap
import re
import struct
from pathlib import Path

FATBIN_MAGIC = 0xBA55ED50
ELF_SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")


def fatbin_section(data: mmap.mmap) -> tuple[int, int]:
    """Offset and size of the ``.nv_fatbin`` section of an ELF64 file."""
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count, names_index = struct.unpack_from("<HHH", data, 0x3A)
    sections = [
        ELF_SECTION_HEADER.unpack_from(data, section_offset + i * entry_size) for i in range(count)
    ]
    names_offset = sections[names_index][4]
    for name, _type, _flags, _addr, offset, size, *_ in sections:
        end = data.find(b"\0", names_offset + name)
        if data[names_offset + name : end] == b".nv_fatbin":
            return offset, size
    raise SystemExit("no .nv_fatbin section: not a CUDA library")


KERNEL_NAME = re.compile(rb"_Z[0-9A-Za-z_]{8,}")


def _defines_dropped_kernel(payload: bytes, drop: re.Pattern[str]) -> bool:
    """Whether a (zstd-compressed) cubin names a kernel ``drop`` matches."""
    import zstandard  # only for --drop: bench/gpu_carry.sh installs it beside the script

    try:
        cubin = zstandard.ZstdDecompressor().decompressobj().decompress(payload)
    except zstandard.ZstdError:
        cubin = payload  # stored uncompressed
    return any(drop.search(name.decode()) for name in KERNEL_NAME.findall(cubin))


def trim(path: Path, keep_arch: int, drop: re.Pattern[str] | None = None) -> tuple[int, int]:
    """Zero every cubin/PTX payload of ``path`` not for ``sm_{keep_arch}``, and those for it
    that define a kernel ``drop`` matches; bytes kept and zeroed."""
    kept = zeroed = 0
    with path.open("r+b") as handle, mmap.mmap(handle.fileno(), 0) as data:
        offset, size = fatbin_section(data)
        position, end = offset, offset + size
        while position + 16 <= end:
            magic, _version, header_size, fat_size = struct.unpack_from("<IHHQ", data, position)
            if magic != FATBIN_MAGIC:
                position += 8  # containers are 8-byte aligned
                continue
            entry, container_end = position + header_size, position + header_size + fat_size
            while entry < container_end:
                _kind, _version, entry_header, payload = struct.unpack_from("<HHIQ", data, entry)
                (arch,) = struct.unpack_from("<I", data, entry + 0x1C)
                start = entry + entry_header
                body = bytes(data[start : start + payload])
                if arch == keep_arch and not (drop and _defines_dropped_kernel(body, drop)):
                    kept += payload
                else:
                    data[start : start + payload] = bytes(payload)
                    zeroed += payload
                entry = start + payload
            position = container_end
        data.flush()
    return kept, zeroed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("library", type=Path)
    parser.add_argument("--keep", type=int, default=90, help="the sm_XY to keep (90: Hopper)")
    parser.add_argument("--drop", type=re.compile, help="zero entries defining such kernels")
    args = parser.parse_args()
    kept, zeroed = trim(args.library, args.keep, args.drop)
    print(
        f"{args.library.name}: kept {kept / 1e6:.1f} MB of sm_{args.keep}, "
        f"zeroed {zeroed / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
