"""How busy the model sessions serving worker processes were: whether the GPU was kept fed.

``logoscore score --processes N`` and ``logoscore worker --processes N`` run every worker's
model calls on the calling process's sessions (``service.scoring.shared_session``). Where the
sessions had a call running nearly all the time from their first call to their last, the model
is the limit and more processes would not help; well below, the host side is (more processes,
or fewer rows a call). The measure is the union of the calls' times over all sessions, so two
sessions' overlapping calls count once.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadFigures:
    """What the sessions did: ``calls`` calls of ``rows`` rows in all, within ``span_seconds``
    from the first call's start to the last one's end, at least one running for
    ``busy_seconds`` of it."""

    calls: int
    rows: int
    span_seconds: float
    busy_seconds: float

    @property
    def busy_fraction(self) -> float:
        return self.busy_seconds / self.span_seconds if self.span_seconds > 0 else 0.0

    def since(self, earlier: "LoadFigures", seconds: float) -> "LoadFigures":
        """The figures of the last ``seconds``, ``earlier`` being those at their start."""
        return LoadFigures(
            self.calls - earlier.calls,
            self.rows - earlier.rows,
            seconds,
            self.busy_seconds - earlier.busy_seconds,
        )

    def describe(self, sessions: int) -> str:
        """One line for a person (no input's content: counts and times only)."""
        if not self.calls:
            return f"model sessions ({sessions}): no call"
        return (
            f"model sessions ({sessions}): {self.calls:,} calls of {self.rows / self.calls:,.0f} "
            f"rows on average in {self.span_seconds:.1f} s, a call running "
            f"{self.busy_fraction:.0%} of the time"
        )


class CallLoad:
    """The calls of several threads' sessions, timed by ``clock`` (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running = 0
        self._calls = self._rows = 0
        self._first: float | None = None
        self._last = self._busy = self._busy_since = 0.0

    @contextmanager
    def call(self, rows: int) -> Iterator[None]:
        """Time one call of ``rows`` rows (counted once it ends, failed or not)."""
        with self._lock:
            now = self._clock()
            if self._first is None:
                self._first = now
            if self._running == 0:
                self._busy_since = now
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                now = self._clock()
                self._running -= 1
                if self._running == 0:
                    self._busy += now - self._busy_since
                self._calls += 1
                self._rows += rows
                self._last = now

    def figures(self) -> LoadFigures:
        """The figures so far (calls still running count from when they end)."""
        with self._lock:
            span = self._last - self._first if self._first is not None else 0.0
            return LoadFigures(self._calls, self._rows, span, self._busy)
