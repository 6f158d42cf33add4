"""Compressed uploads that inflate past 5 GB, sent to a real ``logoscore serve``: each must be
refused with 413 while the server's peak memory stays under 1 GB, and the server must still
stop within 10 s of SIGTERM afterwards. Measured in one run.

Each upload is a gzip stream of under 10 MB made of many copies of one compressed member (gzip
members concatenate into one stream), in four shapes:

- ``long line``: a header, then one record line that never ends;
- ``blank lines``: a header, then blank lines;
- ``header lines``: ``##`` lines that never reach ``#CHROM``;
- ``tiny records``: a header, then ``20 1 . A G`` records.

Every shape goes to ``POST /score/vcf`` and ``POST /jobs`` of a server with the embedded
default configuration (in-process cache and jobs). For each it prints the status, the seconds to
the answer, the start of the answer's message and the server's peak RSS so far (``VmHWM``), then
the seconds from SIGTERM to the server's exit.

    .venv/bin/python bench/hostile_uploads.py [--inflated-gb 5.05]
"""

import argparse
import gzip
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

MEMBER_BYTES = 16 << 20
HEADER = b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
SHAPES: dict[str, tuple[bytes, bytes]] = {
    "long line": (HEADER + b"20\t1\t.\tA\tG\t.\tPASS\t", b"x"),
    "blank lines": (HEADER, b"\n"),
    "header lines": (b"##fileformat=VCFv4.2\n", b"##x=y\n"),
    "tiny records": (HEADER, b"1\t1\t.\tA\tG\n"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bomb(path: Path, start: bytes, unit: bytes, inflated: int) -> Path:
    """``start`` then ``unit`` repeated to ``inflated`` bytes, as a multi-member gzip."""
    member = gzip.compress(unit * (MEMBER_BYTES // len(unit)), 9)
    with path.open("wb") as handle:
        handle.write(gzip.compress(start, 9))
        for _ in range(inflated // MEMBER_BYTES + 1):
            handle.write(member)
    return path


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from service.cli import main; main()", "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inflated-gb", type=float, default=5.05)
    args = parser.parse_args()
    inflated = int(args.inflated_gb * 1e9)
    port = free_port()
    server = start_server(port)
    print(f"server ready, peak RSS {peak_rss_mb(server.pid):.0f} MB")
    print("| shape | .gz MB -> inflated | route | status | seconds | peak RSS MB | answer |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for shape, (start, unit) in SHAPES.items():
            path = bomb(Path(work) / f"{shape.replace(' ', '_')}.vcf.gz", start, unit, inflated)
            size = os.path.getsize(path) / 1e6
            for route in ("/score/vcf", "/jobs"):
                began = time.monotonic()
                with path.open("rb") as handle:
                    response = httpx.post(
                        f"http://127.0.0.1:{port}{route}",
                        files={"file": (path.name, handle, "application/gzip")},
                        timeout=600,
                    )
                seconds = time.monotonic() - began
                detail = response.json().get("detail", "")[:90]
                print(
                    f"| {shape} | {size:.2f} -> {inflated / 1e9:.2f} GB | {route} "
                    f"| {response.status_code} | {seconds:.1f} | {peak_rss_mb(server.pid):.0f} "
                    f"| {detail} |"
                )
    sigterm = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    print(f"exit status {server.returncode}, {time.monotonic() - sigterm:.1f} s after SIGTERM")


if __name__ == "__main__":
    main()
