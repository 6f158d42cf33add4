"""The micro-batcher: concurrent callers share full calls, each gets its own rows back."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from service.main import create_app
from service.scoring.batcher import MicroBatcher
from service.settings import Settings


def _row_sums(calls: list[int]):  # type: ignore[no-untyped-def]
    def run(rows: np.ndarray) -> np.ndarray:
        calls.append(len(rows))
        if (rows < 0).any():
            raise ValueError("negative token")
        return rows.sum(axis=1, keepdims=True).astype(np.float32)

    return run


def test_concurrent_callers_share_calls_and_get_their_own_rows() -> None:
    """The first caller's call is held open until the seven others have queued their rows
    (the batcher's condition is notified on every queueing): then they share full calls."""
    calls: list[int] = []
    started, release = threading.Event(), threading.Event()
    row_sums = _row_sums(calls)

    def held(rows: np.ndarray) -> np.ndarray:
        started.set()
        release.wait(10)
        return row_sums(rows)  # type: ignore[no-any-return]

    batcher = MicroBatcher(held, max_rows=100, max_wait_seconds=0.0)

    def caller(index: int) -> np.ndarray:
        return batcher.predict(np.arange(30 * 3).reshape(30, 3) + 1000 * index)

    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(caller, 0)
        assert started.wait(10)  # the first call holds its 30 rows
        others = [pool.submit(caller, index) for index in range(1, 8)]
        with batcher._condition:
            assert batcher._condition.wait_for(lambda: batcher._pending_rows == 7 * 30, 10)
        release.set()
        outputs = [first.result(10), *(future.result(10) for future in others)]
    batcher.close()
    for index, output in enumerate(outputs):
        expected = (np.arange(30 * 3).reshape(30, 3) + 1000 * index).sum(axis=1, keepdims=True)
        assert np.array_equal(output, expected.astype(np.float32))
    assert calls == [30, 90, 90, 30]  # the held call, then the seven callers in full calls


def test_a_long_caller_is_split_and_a_failed_call_fails_only_its_callers() -> None:
    calls: list[int] = []
    batcher = MicroBatcher(_row_sums(calls), max_rows=64, max_wait_seconds=0.01)
    long = np.ones((150, 2), dtype=np.int64)
    assert np.array_equal(batcher.predict(long), np.full((150, 1), 2, dtype=np.float32))
    assert calls == [64, 64, 22]
    with pytest.raises(ValueError, match="negative token"):
        batcher.predict(-np.ones((3, 2), dtype=np.int64))
    assert batcher.predict(np.ones((1, 2), dtype=np.int64))[0, 0] == 2  # still serving
    batcher.close()


def test_concurrent_requests_are_merged_into_fewer_model_calls() -> None:
    variants = ["20:1292033:C:T", "20:1600125:GAA:G", "20:1340527:T:TGTC", "20:1292040:G:A"]
    with TestClient(create_app(Settings(batch_wait_ms=300))) as client:
        alone = [client.post("/score", json={"variants": [v]}).json() for v in variants]
        before = REGISTRY.get_sample_value("logoscore_model_batch_rows_count") or 0.0
        barrier = threading.Barrier(len(variants))

        def request(variant: str) -> dict[str, object]:
            barrier.wait()
            return client.post("/score", json={"variants": [variant, variant]}).json()  # type: ignore[no-any-return]

        with ThreadPoolExecutor(len(variants)) as pool:
            together = list(pool.map(request, variants))
        calls = (REGISTRY.get_sample_value("logoscore_model_batch_rows_count") or 0.0) - before
    assert calls < len(variants)
    for single, merged in zip(alone, together, strict=True):
        first, second = merged["results"]  # type: ignore[misc]
        expected = single["results"][0]  # type: ignore[index]
        assert first["features"] == second["features"]  # one request: scored once
        assert first["status"] == expected["status"] == "scored"
        for got, want in zip(first["features"], expected["features"], strict=True):
            # another batch composition may round the last float bit differently
            assert got["name"] == want["name"]
            assert got["logfold"] == pytest.approx(want["logfold"], abs=1e-5)


def test_closing_fails_waiting_rows_at_once_instead_of_running_them() -> None:
    started, release = threading.Event(), threading.Event()

    def slow(rows: np.ndarray) -> np.ndarray:
        started.set()
        release.wait(5)
        return rows.sum(axis=1, keepdims=True).astype(np.float32)

    batcher = MicroBatcher(slow, max_rows=2, max_wait_seconds=0.0)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(batcher.predict, np.ones((6, 2), dtype=np.int64))
        assert started.wait(5)
        closing = threading.Thread(target=batcher.close)
        closing.start()
        release.set()
        closing.join(5)
        with pytest.raises(RuntimeError, match="stopping"):
            running.result(5)
