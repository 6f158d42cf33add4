"""A one-line progress bar for the CLI on a terminal: records, variants, records/s and ETA."""

import time
from typing import TextIO

_REFRESH_SECONDS = 0.5
_BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._shown = 0.0

    def update(self, records: int, variants: int, fraction: float) -> None:
        now = time.monotonic()
        if now - self._shown < _REFRESH_SECONDS:
            return
        self._shown = now
        elapsed = now - self._started
        rate = records / elapsed if elapsed > 0 else 0.0
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else float("nan")
        filled = int(_BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self._stream.write(
            f"\r[{bar}] {fraction:4.0%} {records:,} records ({variants:,} variants) "
            f"{rate:,.0f} records/s ETA {_clock(eta)}  "
        )
        self._stream.flush()

    def finish(self) -> None:
        self._stream.write("\n")
        self._stream.flush()


def _clock(seconds: float) -> str:
    if seconds != seconds:  # NaN: nothing read yet
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
