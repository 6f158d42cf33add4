"""The HTML report of a 10,000-variant job: server time of ``GET /jobs/{id}/report`` and the page's
size, measured in one run.

Scoring 10,000 variants takes about 18 minutes on two CPU cores, and the report's cost depends
on how many records it reads, not on their values; so the job is built as a worker stores one:
10,000 SNVs at seeded positions of the demo slice (REF read from it), chunked as
``POST /jobs`` chunks them, each chunk's output saved in the app's job store, with the real
scores of ``--distinct`` SNVs scored here by the engine, reused in turn. Then the report is
fetched through the app, twice (the second shows the steady cost), and its size and parts
printed; the page is written to ``--out`` to look at.

    .venv/bin/python bench/report_size.py [--variants 10000 --distinct 200 --out report.html]
"""

import argparse
import os
import platform
import time
import uuid
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from core.variants import Origin, Variant
from service.access import OPEN_OWNER
from service.jobs.records import ChunkInput, ChunkOutput, JobRecord
from service.main import create_app
from service.scoring.scores import VariantScore
from service.settings import Settings

CHUNK_VARIANTS = 200
BASES = "ACGT"


def _records(client: TestClient, count: int, seed: int) -> list[tuple[int, str, str]]:
    """``count`` SNVs (pos, ref, alt) at sorted seeded positions of the demo slice."""
    reference = client.app.state.engine.reference  # type: ignore[attr-defined]
    span = reference.spans["20"]
    rng = np.random.default_rng(seed)
    found: dict[int, tuple[str, str]] = {}
    while len(found) < count:
        pos = int(rng.integers(span.start + 1_000, span.end - 1_000))
        ref = reference.fetch("20", pos - 1, pos)
        if ref in BASES:
            found[pos] = (ref, BASES[(BASES.index(ref) + 1 + int(rng.integers(3))) % 4])
    return [(pos, *found[pos]) for pos in sorted(found)]


def _job(client: TestClient, variants: int, distinct: int) -> str:
    """A finished job of ``variants`` SNVs in the app's store; its id."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    store = client.app.state.job_store  # type: ignore[attr-defined]
    records = _records(client, variants, seed=23)
    scored_here = [
        Variant("20", pos, ref, alt, Origin(record=i))
        for i, (pos, ref, alt) in enumerate(records[:distinct])
    ]
    began = time.perf_counter()
    real: list[VariantScore] = engine.score(scored_here, cached=False)
    print(f"scored {distinct} SNVs for their values in {time.perf_counter() - began:.1f} s")
    job_id = uuid.uuid4().hex
    chunk_variants, outputs = [], []
    for index, start in enumerate(range(0, variants, CHUNK_VARIANTS)):
        chunk = records[start : start + CHUNK_VARIANTS]
        lines = [
            f"20\t{pos}\tv{start + i}\t{ref}\t{alt}\t.\tPASS\t."
            for i, (pos, ref, alt) in enumerate(chunk)
        ]
        store.add_chunk(
            job_id,
            index,
            ChunkInput(start, lines, [start + i + 2 for i in range(len(chunk))], len(chunk)),
        )
        scores = []
        for i, (pos, ref, alt) in enumerate(chunk):
            stored = real[(start + i) % distinct].stored()
            scores.append([{**stored, "normalized": [pos, ref, alt]}])
        chunk_variants.append(len(chunk))
        outputs.append(ChunkOutput(scores))
    job = JobRecord(
        id=job_id,
        owner=OPEN_OWNER,
        created=time.time(),
        model_sha256=engine.model.file.sha256,
        reference_digest=engine.reference.identity.digest,
        chunk_variants=chunk_variants,
    )
    header = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    store.create(job, header, None)
    for index, output in enumerate(outputs):  # as a worker saves each chunk's scores
        store.save_output(job_id, index, output)
    return job_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("report.html"))
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    with TestClient(create_app(Settings(job_store_capacity=10))) as client:
        job_id = _job(client, args.variants, args.distinct)
        assert client.get(f"/jobs/{job_id}").json()["state"] == "finished"
        print("| fetch | server time (s) | page (MB) | inline SVGs |")
        print("|---|---|---|---|")
        for fetch in ("first", "second"):
            began = time.perf_counter()
            response = client.get(f"/jobs/{job_id}/report")
            seconds = time.perf_counter() - began
            assert response.status_code == 200, response.text
            page = response.text
            size = len(page.encode()) / 1e6
            print(f"| {fetch} | {seconds:.2f} | {size:.2f} | {page.count('<svg')} |")
        args.out.write_text(page)
        print(f"{args.variants} variants; the page is in {args.out}")


if __name__ == "__main__":
    main()
