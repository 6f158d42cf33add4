"""Resident memory of ``logoscore score`` as it reads a 100k-record VCF, measured in one run.

Writes a VCF of synthetic SNVs at seeded random positions of the demo reference (REF read from
it, with 2 sample columns), runs ``logoscore score IN.vcf -o OUT.vcf.gz`` in a subprocess and
samples, every 0.2 s, its resident memory (``VmRSS`` in ``/proc/PID/status``) and how far it
has read the input (the file offset in ``/proc/PID/fdinfo``). Two runs:

- ``scored``: every record is scored by the model. At the engine's ~13 variants/s on this
  2-core CPU, 100k records take about two hours, so this run stops after ``--seconds``;
- ``streamed``: the same records on a contig the reference lacks (status ``unknown_contig``):
  no model pass, so the whole file goes through reading, classifying and writing.

For each run it prints memory at each quarter of the run's time with the part of the file read
by then, and the ratio of the peak to the memory at the first quarter: flat memory is a ratio
near 1.

    .venv/bin/python bench/score_memory.py [--records 100000] [--seconds 180]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from core.reference import ReferenceGenome
from service.settings import DEMO_FASTA

SAMPLE_SECONDS = 0.2
MARGIN = 1_000  # keep windows inside the reference slice


def write_vcf(path: Path, records: int, contig: str, seed: int) -> None:
    reference = ReferenceGenome(DEMO_FASTA)
    span = reference.spans["20"]
    positions = np.sort(
        np.random.default_rng(seed).integers(span.start + MARGIN, span.end - MARGIN, records)
    )
    with path.open("w") as out:
        out.write("##fileformat=VCFv4.2\n##contig=<ID=20,length=63025520>\n")
        out.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n")
        for i, position in enumerate(positions):
            ref = reference.fetch("20", int(position), int(position) + 1)
            alt = "A" if ref != "A" else "G"
            out.write(f"{contig}\t{position + 1}\tv{i}\t{ref}\t{alt}\t.\tPASS\t.\tGT\t0|1\t0|0\n")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _offset(pid: int, path: Path) -> int | None:
    """Offset of the process's open file ``path``, or None if it is not open (yet)."""
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                fdinfo = Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines()
                return int(fdinfo[0].split()[1])
        except OSError:
            continue
    return None


def run(vcf: Path, out: Path, seconds: float) -> list[tuple[float, float, int]]:
    """Samples ``(elapsed s, fraction read, RSS KiB)`` of one ``logoscore score`` run."""
    command = [sys.executable, "-c", "from service.cli import main; main()"]
    command += ["score", str(vcf), "-o", str(out), "--quiet"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    size = vcf.stat().st_size
    samples: list[tuple[float, float, int]] = []
    try:
        while process.poll() is None and time.monotonic() - started < seconds:
            try:
                offset, rss = _offset(process.pid, vcf), _rss_kib(process.pid)
            except (FileNotFoundError, ProcessLookupError):
                break
            if offset is not None:
                samples.append((time.monotonic() - started, offset / size, rss))
            time.sleep(SAMPLE_SECONDS)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait()
    return samples


def report(name: str, samples: list[tuple[float, float, int]]) -> None:
    """Memory at quarters of the run's time, and the peak over the memory at its first quarter
    (by then the model is loaded and, when scoring, the first chunk has gone through it)."""
    if not samples:
        print(f"{name}: no samples")
        return
    elapsed, read, _ = samples[-1]
    print(f"\n{name}: read {read:.1%} of the file in {elapsed:.0f} s")
    print("| time | part of the file read | RSS MiB |")
    print("|---|---|---|")
    quarters = [next(s for s in samples if s[0] >= elapsed * q) for q in (0.25, 0.5, 0.75, 1.0)]
    for at, fraction, rss in quarters:
        print(f"| {at:.0f} s | {fraction:.1%} | {rss / 1024:.0f} |")
    peak = max(rss for at, _, rss in samples if at >= quarters[0][0])
    print(f"peak after the first quarter / at the first quarter: {peak / quarters[0][2]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=180.0, help="limit of the scored run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        scored, streamed = work / "scored.vcf", work / "streamed.vcf"
        write_vcf(scored, args.records, "20", args.seed)
        write_vcf(streamed, args.records, "21", args.seed)
        print(f"{args.records:,} records; {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
        report("streamed (unknown_contig, no model pass)", run(streamed, work / "s.vcf.gz", 3600))
        report(
            f"scored (stopped after {args.seconds:.0f} s)",
            run(scored, work / "o.vcf.gz", args.seconds),
        )


if __name__ == "__main__":
    main()
