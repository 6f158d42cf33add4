"""A one-line progress bar for the CLI on a terminal: share of the input read, variants done,
variants/s and ETA.

A thread of its own redraws it every ``REFRESH_SECONDS`` from the start, so a user sees time
pass while the first batch is scored (about 30 s for 256 variants on a CPU), not a frozen line;
``finish`` draws the last line from the final counts, and ``stop`` (always) ends the thread.
"""

import threading
import time
from typing import TextIO

REFRESH_SECONDS = 0.5
_BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._variants = 0
        self._fraction = 0.0
        self._lock = threading.Lock()
        self._drawn = False
        self._ended = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
        self._thread.start()

    def update(self, variants: int, fraction: float) -> None:
        """``variants`` done so far, ``fraction`` of the input read (0 to 1)."""
        with self._lock:
            self._variants, self._fraction = variants, fraction

    def _run(self) -> None:
        while not self._stopped.wait(REFRESH_SECONDS):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            variants, fraction = self._variants, self._fraction
        elapsed = time.monotonic() - self._started
        rate = variants / elapsed if elapsed > 0 else 0.0
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else float("nan")
        filled = int(_BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self._stream.write(
            f"\r[{bar}] {fraction:4.0%} {variants:,} variants in {_clock(elapsed)} "
            f"({rate:,.1f}/s) ETA {_clock(eta)}  "
        )
        self._stream.flush()
        self._drawn = True

    def _end(self, final_variants: int | None) -> None:
        self._stopped.set()
        self._thread.join()
        if self._ended:
            return
        self._ended = True
        if final_variants is not None:
            self.update(final_variants, 1.0)
            self._draw()
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()

    def stop(self) -> None:
        """End the redrawing and the line, as it stands (a failed run; idempotent)."""
        self._end(None)

    def finish(self, variants: int) -> None:
        """The last line, with the final count, then a line break."""
        self._end(variants)


def _clock(seconds: float) -> str:
    if seconds != seconds:  # NaN: nothing read yet
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
