"""Zero the GPU code of every architecture but one in a CUDA shared library's ``.nv_fatbin``.

A CUDA library carries machine code (cubin) for several GPU generations and PTX. The driver
loads the entry for the GPU it runs on, so on an H100/H200 (``sm_90``) the other entries are
never read; zeroed, they compress to almost nothing. That is how ``bench/gpu_carry.sh`` fits
onnxruntime-gpu into the device machine's transfer limit. The file keeps its size and layout;
only entry payloads change. Not for shipping: a trimmed library runs on one GPU generation.

    python bench/fatbin_trim.py LIBRARY.so --keep 90
"""

import argparse
import mmap
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


def trim(path: Path, keep_arch: int) -> tuple[int, int]:
    """Zero every cubin/PTX payload of ``path`` not for ``sm_{keep_arch}``; bytes kept and
    zeroed."""
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
                if arch == keep_arch:
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
    args = parser.parse_args()
    kept, zeroed = trim(args.library, args.keep)
    print(
        f"{args.library.name}: kept {kept / 1e6:.1f} MB of sm_{args.keep}, "
        f"zeroed {zeroed / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
