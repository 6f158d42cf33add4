"""The micro-batcher: merges the model rows of concurrent requests into full onnxruntime calls.

Callers (request threads, never the event loop) hand their token rows to ``predict`` and block
on a future. One batching thread waits on a condition variable — woken by each submission, not
polling — until ``max_rows`` rows are pending or the oldest pending piece has waited
``max_wait_seconds``; it then runs one call of at most ``max_rows`` rows and hands each caller
its own slice of the output, in the order of its rows. A caller's rows may be split over several
calls and share calls with other callers; a failed call fails only the callers whose rows were
in it, with the model's error.
"""

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Rows = NDArray[np.int64]
Outputs = NDArray[np.float32]


@dataclass
class _Piece:
    rows: Rows
    future: "Future[Outputs]"
    submitted: float = field(default_factory=time.monotonic)


class MicroBatcher:
    def __init__(
        self, run: Callable[[Rows], Outputs], max_rows: int, max_wait_seconds: float
    ) -> None:
        self._run = run
        self.max_rows = max_rows
        self.max_wait_seconds = max_wait_seconds
        self._pending: deque[_Piece] = deque()
        self._pending_rows = 0
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="micro-batcher", daemon=True)
        self._thread.start()

    def predict(self, rows: Rows) -> Outputs:
        """Outputs for ``rows`` (at least one), in order, computed in calls shared with
        concurrent callers."""
        futures: list[Future[Outputs]] = []
        with self._condition:
            if self._closed:
                raise RuntimeError("the micro-batcher is closed")
            for start in range(0, len(rows), self.max_rows):
                piece = _Piece(rows[start : start + self.max_rows], Future())
                self._pending.append(piece)
                self._pending_rows += len(piece.rows)
                futures.append(piece.future)
            self._condition.notify()
        return np.concatenate([future.result() for future in futures])

    def close(self) -> None:
        """Stop: rows still waiting fail at once (the process is stopping; nobody waits for
        them), a call already running ends first."""
        with self._condition:
            self._closed = True
            stopping = RuntimeError("the service is stopping; retry on another instance")
            for piece in self._pending:
                piece.future.set_exception(stopping)
            self._pending.clear()
            self._pending_rows = 0
            self._condition.notify()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            with self._condition:
                batch = self._next_batch()
            if batch is None:
                return
            self._run_batch(batch)

    def _next_batch(self) -> list[_Piece] | None:
        """Wait (holding the condition) until a batch is due; ``None`` once closed and empty."""
        while True:
            if self._pending:
                waited = time.monotonic() - self._pending[0].submitted
                if self._pending_rows >= self.max_rows or waited >= self.max_wait_seconds:
                    return self._take()
                self._condition.wait(self.max_wait_seconds - waited)
            elif self._closed:
                return None
            else:
                self._condition.wait()

    def _take(self) -> list[_Piece]:
        batch: list[_Piece] = []
        rows = 0
        while self._pending and rows + len(self._pending[0].rows) <= self.max_rows:
            piece = self._pending.popleft()
            rows += len(piece.rows)
            batch.append(piece)
        self._pending_rows -= rows
        return batch

    def _run_batch(self, batch: list[_Piece]) -> None:
        try:
            outputs = self._run(np.concatenate([piece.rows for piece in batch]))
        except Exception as error:  # the model's error goes to the callers whose rows failed
            for piece in batch:
                piece.future.set_exception(error)
            return
        offset = 0
        for piece in batch:
            piece.future.set_result(outputs[offset : offset + len(piece.rows)])
            offset += len(piece.rows)
