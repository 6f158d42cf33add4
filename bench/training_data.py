"""The training data path at scale, measured in one run (issue 20):

1. ``prepare`` on generated genomes of increasing size (contigs of ``--contig-mb`` Mb each, so a
   bigger genome is more contigs, as a real one is), with ``--features`` random-peak features at
   5% of bins each: wall time, peak memory (``VmHWM`` of the ``prepare`` process) and disk,
   and their ratios to the smallest genome; time should grow with the genome, memory should not.
2. The data loader: fine-tuning batches (32 windows of 1004 bases, one random strand and frame,
   feature-balanced draws) per second with 0, 1 and 2 worker processes, against the training
   step rate of LOGO's model (1.5 M parameters) on this machine.

Prints one table per part and the extrapolation to GRCh38 (3.1 Gb, 15.5 M bins) x 919 features.

    .venv/bin/python bench/training_data.py [--sizes 10 40 160] [--features 50]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from core.kmers import Vocabulary
from training.data.loader import StepBatches, step_loader
from training.data.samples import Samples
from training.data.shards import PreparedDataset
from training.data.synthetic import write_synthetic_genome
from training.finetune import FinetuneDraw, FinetuneModules, FinetuneSettings
from training.loop import LoopSettings
from training.model import LogoConfig, LogoModel

GRCH38_BINS = 3_100_000_000 // 200
DEEPSEA_FEATURES = 919


PEAK_OF = (
    "import sys; from training.cli import main; main(sys.argv[1:]); "
    "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
)
"""Runs a command and prints its peak RSS in KiB: ``VmHWM``, which starts afresh at exec
(``ru_maxrss`` does not: Linux carries the parent's peak across fork and exec)."""


def prepare_run(genome: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one ``prepare`` in its own process."""
    argv = ["prepare", "--fasta", str(genome / "genome.fa")]
    argv += ["--features", str(genome / "features.tsv"), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF, *argv], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    return seconds, int(done.stdout.split()[-1]) / 1024


def disk_mib(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20


def bench_prepare(work: Path, sizes: list[int], features: int, contig_mb: int) -> Path:
    rows = []
    for size in sorted(sizes):
        genome = work / f"genome-{size}"
        contigs = {str(i + 1): contig_mb * 1_000_000 for i in range(size // contig_mb)}
        write_synthetic_genome(genome, contigs, planted=0, random=features, peak_share=0.05)
        seconds, peak = prepare_run(genome, work / f"data-{size}")
        windows = PreparedDataset.open(work / f"data-{size}").manifest["splits"]["train"]["windows"]
        rows.append((size, windows, seconds, peak, disk_mib(work / f"data-{size}")))
    rows.sort()
    small = rows[0]
    print(f"\n## prepare: {features} features, contigs of {contig_mb} Mb\n")
    print("| genome | windows | seconds | peak MiB | dataset MiB | time / first | memory / first |")
    print("|---|---|---|---|---|---|---|")
    for size, windows, seconds, peak, disk in rows:
        print(
            f"| {size} Mb | {windows:,} | {seconds:.1f} | {peak:.0f} | {disk:.0f} | "
            f"{seconds / small[2]:.2f} | {peak / small[3]:.2f} |"
        )
    size, windows, seconds, _, disk = rows[-1]
    per_window = seconds / windows
    print(
        f"\nGRCh38 x {features} features, every bin: {GRCH38_BINS:,} windows, about "
        f"{per_window * GRCH38_BINS / 60:.0f} min and {disk / windows * GRCH38_BINS / 1024:.1f} GiB"
    )
    return work / f"data-{rows[-1][0]}"


def bench_loader(data_dir: Path, batches: int) -> None:
    data = PreparedDataset.open(data_dir)
    samples = Samples.of(data, "train")
    settings = FinetuneSettings(LoopSettings(steps=batches), batch_size=32)
    draw = FinetuneDraw(samples, samples.windows.positives(), settings, None)
    print("\n## data loader: fine-tuning batches of 32 windows\n")
    print("| workers | batches/s | windows/s |")
    print("|---|---|---|")
    rates = {}
    for workers in (0, 1, 2):
        loader = step_loader(StepBatches(draw, 0), 0, batches, workers, pin_memory=False)
        started = time.perf_counter()
        for _ in loader:
            pass
        rate = batches / (time.perf_counter() - started)
        rates[workers] = rate
        print(f"| {workers} | {rate:.1f} | {rate * 32:,.0f} |")
    model = LogoModel(LogoConfig(vocab_size=Vocabulary(5).size, outputs=len(data.features)))
    modules = FinetuneModules(model, None, settings)
    optimizer = torch.optim.AdamW(modules.parameters())
    batch = {k: torch.from_numpy(np.asarray(v)) for k, v in draw(np.random.default_rng(0)).items()}
    steps = 5
    started = time.perf_counter()
    for _ in range(steps):
        loss = modules(batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    step_rate = steps / (time.perf_counter() - started)
    print(
        f"\nLOGO fine-tuning step (fp32, batch 32, {torch.get_num_threads()} threads): "
        f"{step_rate:.2f} steps/s; the loader in the training process alone draws "
        f"{rates[0] / step_rate:.0f}x as many batches as the model consumes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--contig-mb", type=int, default=10)
    parser.add_argument("--loader-batches", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        largest = bench_prepare(Path(work), args.sizes, args.features, args.contig_mb)
        bench_loader(largest, args.loader_batches)


if __name__ == "__main__":
    main()
