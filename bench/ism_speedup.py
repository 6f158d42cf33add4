"""In-silico mutagenesis against scoring the same SNVs through ``POST /score``, measured in one run.

Three ways to score every SNV of one region of the demo slice, each from a cold start (no score
cache: ISM never uses it, and each ``/score`` way runs on an app of its own):

- ``POST /ism``'s engine path (``service.mutagenesis``): a position's three SNVs in one engine
  call, so they share one reference window: 4 windows, 40 model rows, per position;
- ``POST /score`` with every SNV of the region in one request: the engine shares the reference
  window of ALTs at one site there too (``core.effects``), so this is ISM's row count again;
- ``POST /score`` one SNV per request, as a client scoring SNVs one by one would: 2 windows,
  20 rows, per SNV, 60 per position.

Prints seconds, model rows, and the ratios to ISM; the expected speed-up from rows alone is
60 / 40 = 1.5x against SNVs scored apart.

    .venv/bin/python bench/ism_speedup.py [--start 1292021 --length 20]
"""

import argparse
import os
import platform
import time

from fastapi.testclient import TestClient

from core.ism import mutagenesis_region, mutagenesis_sites
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import parse_variant_string
from service.main import create_app
from service.mutagenesis import mutagenesis
from service.scoring.engine import ScoringEngine
from service.scoring.model import OnnxModel
from service.settings import Settings

WARM_UP = "20:1600125:G:A"
"""Scored before each timing, outside the region: the first model call's set-up is not timed."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=1_292_021)
    parser.add_argument("--length", type=int, default=20)
    args = parser.parse_args()
    settings = Settings()
    engine = ScoringEngine(
        OnnxModel(settings.model_dir, settings.provider, settings.batch_rows),
        ReferenceGenome(settings.fasta),
    )
    region = mutagenesis_region(engine.reference, "20", args.start, args.start + args.length - 1)
    snvs = [
        f"20:{v.pos}:{v.ref}:{v.alt}"
        for site in mutagenesis_sites(engine.reference, region)
        for v in site.variants
    ]
    engine.score(parse_variant_string(WARM_UP, 0), cached=False)
    began = time.perf_counter()
    found = mutagenesis(engine, region)
    ism_seconds = time.perf_counter() - began
    with TestClient(create_app(settings)) as client:
        client.post("/score", json={"variants": [WARM_UP]})
        began = time.perf_counter()
        batch = client.post("/score", json={"variants": snvs})
        batch_seconds = time.perf_counter() - began
    with TestClient(create_app(settings)) as client:
        client.post("/score", json={"variants": [WARM_UP]})
        began = time.perf_counter()
        each = [client.post("/score", json={"variants": [snv]}) for snv in snvs]
        each_seconds = time.perf_counter() - began
    assert batch.status_code == 200 and all(r.status_code == 200 for r in each)
    positions = found.tally().counts[Status.SCORED]
    frames_strands = 2 * engine.spec.k
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"region {region}: {positions} positions, {len(snvs)} SNVs")
    print("| way | seconds | model rows | SNVs/s | time vs ISM |")
    print("|---|---|---|---|---|")
    rows = {
        "POST /ism (engine path)": (ism_seconds, 4 * positions * frames_strands),
        "POST /score, all SNVs in one request": (batch_seconds, 4 * positions * frames_strands),
        "POST /score, one SNV per request": (each_seconds, 2 * len(snvs) * frames_strands),
    }
    for way, (seconds, model_rows) in rows.items():
        print(
            f"| {way} | {seconds:.2f} | {model_rows} | {len(snvs) / seconds:.1f} | "
            f"**{seconds / ism_seconds:.2f}x** |"
        )


if __name__ == "__main__":
    main()
