"""End to end on one GPU: ``logoscore score`` on a VCF of real-looking SNVs against a
whole-chromosome FASTA (first the served path's parity: every feature's logfold of its first
``--parity`` SNVs with ``--processes 2`` against the CPU's fp32 model; then one process on its
first ``--single`` records, then ``--processes N`` on all, each with the rate from the model
sessions' first call to their last), then the same VCF as a ``/jobs`` job scored by
``--workers`` ``logoscore worker`` processes, and by one ``logoscore worker --processes N`` for
each N of ``--worker-processes``, through a redis-server (the service's in-process runner where
there is none), each timed from submission, once the workers are registered, to finished.

The device machine reaches nothing outside it and its transfer limit leaves no room for a real
chromosome beside onnxruntime-gpu, so the chromosome is built there from the bundled 6 Mb of
real GRCh37 chr20, repeated to chr20's 63 Mb as one contig ``20`` (real sequence, a whole
chromosome's size and random access). SNVs sit at random positions of it, REF read from it, ALT
one of the three others. Settings come from the environment (``LOGOSCORE_PROVIDER`` etc.).

    python bench/gpu_end_to_end.py --variants 200000 --processes 4,8 --workers 1,8 \
        --worker-processes 8 --work /tmp/e2e

The chromosome and the VCF are built once per ``--work`` folder and reused by later runs.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import redis
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from rq import Worker

from core.reference import ReferenceGenome
from service.main import create_app
from service.settings import DEMO_FASTA, Provider, Settings

CHROMOSOME_LENGTH = 63_025_520
"""GRCh37 chr20."""


def write_chromosome(path: Path) -> Path:
    """The bundled slice's bases, repeated to ``CHROMOSOME_LENGTH``, as contig ``20``."""
    if path.exists():
        return path
    reference = ReferenceGenome(DEMO_FASTA)
    span = reference.spans["20"]
    bases = reference.fetch("20", span.start, span.end)
    repeats = -(-CHROMOSOME_LENGTH // len(bases))
    sequence = (bases * repeats)[:CHROMOSOME_LENGTH]
    path.with_name(path.name + ".fai").unlink(missing_ok=True)  # a stale index of a last run
    with path.open("w") as handle:
        handle.write(">20\n")
        for start in range(0, len(sequence), 60):
            handle.write(sequence[start : start + 60] + "\n")
    return path


def write_snvs(fasta: Path, count: int, path: Path, seed: int = 0) -> Path:
    """``count`` SNVs at random non-N positions of ``fasta``'s contig 20, sorted, REF from it."""
    if path.exists() and sum(1 for line in path.open() if not line.startswith("#")) == count:
        return path
    bases = np.frombuffer(
        ReferenceGenome(fasta).fetch("20", 0, CHROMOSOME_LENGTH).upper().encode(), np.uint8
    )
    rng = np.random.default_rng(seed)
    drawn = rng.choice(np.arange(1_000, CHROMOSOME_LENGTH - 1_000), 2 * count, replace=False)
    acgt = np.frombuffer(b"ACGT", np.uint8)
    refs = bases[drawn - 1]  # 1-based positions
    known = np.flatnonzero(np.isin(refs, acgt))[:count]  # in drawn order: the first non-N ones
    if len(known) < count:
        raise SystemExit(f"fewer than {count} non-N positions drawn")
    order = known[np.argsort(drawn[known])]
    positions, ref_bases = drawn[order], refs[order]
    alts = acgt[(np.searchsorted(acgt, ref_bases) + rng.integers(1, 4, len(order))) % 4]
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID=20,length={CHROMOSOME_LENGTH}>"]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    lines += [
        f"20\t{pos}\t.\t{chr(ref)}\t{chr(alt)}\t.\tPASS\t."
        for pos, ref, alt in zip(positions.tolist(), ref_bases.tolist(), alts.tolist(), strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def first_records(vcf: Path, count: int, path: Path) -> Path:
    """The header and the first ``count`` records of ``vcf``."""
    lines = vcf.read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    path.write_text("\n".join([*header, *lines[len(header) : len(header) + count]]) + "\n")
    return path


LOAD = re.compile(
    r"model sessions \((\d+)\): ([\d,]+) calls of ([\d,]+) rows on average in ([\d.]+) s, "
    r"a call running (\d+)% of the time"
)
"""The line ``--processes N`` runs end with (``service.scoring.call_load``)."""


@dataclass(frozen=True)
class Run:
    """A run's variants/s from start to end, and what its sessions' load line said."""

    variants: int
    seconds: float
    load: str

    @property
    def rate(self) -> float:
        return self.variants / self.seconds

    def describe(self) -> str:
        """The rate, and where the load line is known: the rate from the sessions' first call
        to their last (what the model-bound middle of the run reached), the seconds outside it
        (start-up: processes, sessions, first windows; the last chunks' writing) and how busy
        the sessions were within it."""
        found = LOAD.search(self.load)
        if found is None:
            return f"{self.rate:,.0f} variants/s"
        span = float(found[4])
        return (
            f"{self.rate:,.0f} variants/s; from the first model call to the last "
            f"{self.variants / span:,.0f} variants/s ({span:.1f} s, a call running "
            f"{found[5]}% of it), {self.seconds - span:.1f} s outside it"
        )


def cli_run(vcf: Path, out: Path, fasta: Path, variants: int, processes: int, **env: str) -> Run:
    """``logoscore score VCF -o OUT --processes N``, timed (a new process: model loads
    included), with ``env`` over this process's environment."""
    command = [sys.executable, "-m", "service.cli", "score", str(vcf), "-o", str(out), "-q"]
    command += ["--processes", str(processes)]
    started = time.perf_counter()
    done = subprocess.run(
        command,
        check=True,
        env={**os.environ, "LOGOSCORE_FASTA": str(fasta), **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    return Run(variants, time.perf_counter() - started, done.stderr)


def _logfolds(tsv: Path) -> NDArray[np.float64]:
    """Every ``<feature>.logfold`` cell of ``tsv``, a row per variant (empty cells NaN)."""
    lines = [line for line in tsv.read_text().splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    wanted = [index for index, name in enumerate(header) if name.endswith(".logfold")]
    cells = [[line.split("\t")[index] for index in wanted] for line in lines[1:]]
    return np.array([[float(cell) if cell else np.nan for cell in row] for row in cells])


def parity(vcf: Path, fasta: Path, work: Path, count: int) -> str:
    """The served path's numbers on the device (``--processes 2``: the shared sessions, their
    I/O binding) against the CPU's fp32 model, over ``vcf``'s first ``count`` SNVs: every
    feature's logfold."""
    first = first_records(vcf, count, work / "parity.vcf")
    served, cpu = work / "parity.served.tsv", work / "parity.cpu.tsv"
    cli_run(first, served, fasta, count, 2)
    cli_run(first, cpu, fasta, count, 1, LOGOSCORE_PROVIDER="cpu", LOGOSCORE_PRECISION="fp32")
    difference = np.abs(_logfolds(served) - _logfolds(cpu))
    if np.isnan(difference).all():
        return f"parity: no logfold to compare over {count} SNVs"
    return (
        f"parity of the served path with the CPU's fp32 model, {count} SNVs x every feature: "
        f"logfold max {np.nanmax(difference):.4f}, p99 {np.nanpercentile(difference, 99):.4f}"
    )


def _poll(client: TestClient, vcf: Path) -> float:
    """Seconds from submitting ``vcf`` as a job to its end (which must be ``finished``)."""
    started = time.perf_counter()
    submitted = client.post("/jobs", files={"file": (vcf.name, vcf.read_bytes())})
    job = submitted.json()["id"]
    while (state := client.get(f"/jobs/{job}").json()["state"]) not in ("finished", "failed"):
        time.sleep(0.2)
    assert state == "finished", client.get(f"/jobs/{job}").json()
    return time.perf_counter() - started


def job_rate(vcf: Path, fasta: Path, variants: int) -> float:
    """Variants/s of one ``/jobs`` job, submission to finished, in-process runner."""
    settings = Settings(fasta=fasta, job_chunk_variants=20_000)
    with TestClient(create_app(settings)) as client:
        return variants / _poll(client, vcf)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_workers(url: str, count: int, timeout: float = 180.0) -> None:
    """Until ``count`` RQ workers are registered at ``url`` (their start-up is not a job's;
    the redis-server may still be starting)."""
    connection = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if len(Worker.all(connection=connection)) >= count:
                return
        except redis.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"fewer than {count} workers registered within {timeout:.0f} s")
        time.sleep(0.2)


def worker_job_run(
    vcf: Path, fasta: Path, variants: int, workers: int, processes: int, work: Path, chunk: int
) -> Run:
    """One ``/jobs`` job in chunks of ``chunk`` variants, scored by ``workers`` ``logoscore
    worker --processes PROCESSES`` through a redis-server started here (the API in this
    process, its jobs queued for the workers' model file: ``LOGOSCORE_JOB_PROVIDER`` = the
    workers' provider), timed from submission, once every worker process is registered, to
    finished; the load line is the workers' last (``--processes`` above 1)."""
    port = _free_port()
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", work],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    env = {**os.environ, "REDIS_URL": url, "LOGOSCORE_FASTA": str(fasta)}
    command = [sys.executable, "-m", "service.cli", "worker", "--processes", str(processes)]
    logs = [work / f"worker-{number}.log" for number in range(workers)]
    started = [
        subprocess.Popen(command, env=env, stderr=log.open("w"), stdout=subprocess.DEVNULL)
        for log in logs
    ]
    provider = os.environ.get("LOGOSCORE_PROVIDER")
    settings = Settings(
        fasta=fasta,
        redis_url=url,
        job_chunk_variants=chunk,
        provider=Provider.CPU,  # the API scores nothing here
        job_provider=Provider(provider) if provider else None,
    )
    try:
        _wait_for_workers(url, workers * processes)
        with TestClient(create_app(settings)) as client:
            seconds = _poll(client, vcf)
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)
        redis_server.terminate()
        redis_server.wait(timeout=30)
    return Run(variants, seconds, logs[0].read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=200_000)
    parser.add_argument(
        "--processes", default="8", help="--processes of the CLI runs on all variants (4,8)"
    )
    parser.add_argument(
        "--single", type=int, default=50_000, help="variants of the one-process CLI run (0: none)"
    )
    parser.add_argument("--workers", default="1", help="/jobs worker counts (1,8; '': none)")
    parser.add_argument(
        "--worker-processes", default="", help="/jobs by one worker of N processes (8,12)"
    )
    parser.add_argument(
        "--job-chunk", type=int, default=5_000, help="variants per /jobs chunk (the API's: 200)"
    )
    parser.add_argument(
        "--output",
        choices=["tsv", "vcf"],
        default="tsv",
        help="what the CLI runs write (vcf: per feature group and the top features only)",
    )
    parser.add_argument(
        "--parity", type=int, default=200, help="SNVs checked against the CPU's fp32 (0: none)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/logoscore-e2e"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    fasta = write_chromosome(args.work / "chr20_repeated.fa")
    vcf = write_snvs(fasta, args.variants, args.work / "snvs.vcf")
    if args.parity:
        print(parity(vcf, fasta, args.work, args.parity))
    if args.single:
        single = first_records(vcf, args.single, args.work / "first.vcf")
        one = cli_run(single, args.work / f"one.{args.output}", fasta, args.single, 1)
        print(f"logoscore score, {args.single:,} SNVs, one process: {one.describe()}")
    for processes in [int(count) for count in args.processes.split(",") if count]:
        many = cli_run(vcf, args.work / f"scores.{args.output}", fasta, args.variants, processes)
        print(
            f"logoscore score, {args.variants:,} SNVs, 63 Mb contig, --processes {processes}, "
            f"{args.output}: {many.describe()}"
        )
    if shutil.which("redis-server") is None:
        jobs = job_rate(vcf, fasta, args.variants)
        print(f"/jobs, in-process runner (no redis-server here), same VCF: {jobs:,.0f} variants/s")
        return
    for workers in [int(count) for count in args.workers.split(",") if count]:
        run = worker_job_run(vcf, fasta, args.variants, workers, 1, args.work, args.job_chunk)
        print(
            f"/jobs, {workers} logoscore worker(s), chunks of {args.job_chunk}, same VCF: "
            f"{run.describe()}"
        )
    for processes in [int(count) for count in args.worker_processes.split(",") if count]:
        run = worker_job_run(vcf, fasta, args.variants, 1, processes, args.work, args.job_chunk)
        print(
            f"/jobs, one logoscore worker --processes {processes}, chunks of {args.job_chunk}, "
            f"same VCF: {run.describe()}"
        )


if __name__ == "__main__":
    main()
