"""HTTP on loopback, measured in one run: single-variant ``POST /score`` latency uncached and as
a cache hit (p50, p99), and cache-hit requests/s under concurrent load.

Starts ``logoscore serve`` (the demo model, in-process LRU cache, unless ``REDIS_URL`` is set)
on a free port, scores ``--uncached`` distinct SNVs of the demo reference one request each,
then requests one of them ``--hits`` times in a row, then ``--hits`` times from ``--clients``
threads at once.

    .venv/bin/python bench/http_latency.py [--uncached 30] [--hits 500] [--clients 8]
"""

import argparse
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

from core.reference import ReferenceGenome
from service.settings import DEMO_FASTA


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _snvs(count: int) -> list[str]:
    reference = ReferenceGenome(DEMO_FASTA)
    positions = np.random.default_rng(3).integers(100_000, 5_900_000, count)
    snvs = []
    for position in positions:
        ref = reference.fetch("20", int(position), int(position) + 1)
        snvs.append(f"20:{position + 1}:{ref}:{'A' if ref != 'A' else 'G'}")
    return snvs


def _post(client: httpx.Client, url: str, variant: str) -> float:
    started = time.perf_counter()
    response = client.post(url, json={"variants": [variant], "top_k": 3})
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json()["results"][0]["status"] != "scored":
        raise RuntimeError(f"{variant}: {response.status_code} {response.text[:200]}")
    return elapsed


def _quantiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uncached", type=int, default=30)
    parser.add_argument("--hits", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    port = _free_port()
    command = [sys.executable, "-c", "from service.cli import main; main()", "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(600):
                try:
                    if client.get(f"{base}/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            url = f"{base}/score"
            snvs = _snvs(args.uncached)
            uncached = [_post(client, url, variant) for variant in snvs]
            hits = [_post(client, url, snvs[0]) for _ in range(args.hits)]
        with ThreadPoolExecutor(args.clients) as pool, httpx.Client(timeout=60) as shared:
            started = time.perf_counter()
            list(pool.map(lambda _: _post(shared, url, snvs[0]), range(args.hits)))
            rate = args.hits / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"uncached single variant ({args.uncached} distinct SNVs): {_quantiles(uncached)}")
    print(f"cache hit, one client ({args.hits} requests): {_quantiles(hits)}")
    print(f"cache hit, {args.clients} concurrent clients: {rate:,.0f} requests/s")
    print(f"uncached p50 / cache-hit p50: {np.median(uncached) / np.median(hits):,.1f}")


if __name__ == "__main__":
    main()
