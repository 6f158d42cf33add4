"""The CLI's progress bar: redrawn from the start while the first batch is scored, and its last
line holds the final counts."""

import io
import time

import pytest

from service.progress import REFRESH_SECONDS, Progress


@pytest.mark.slow
def test_the_bar_moves_before_the_first_variant_and_ends_on_the_final_count() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    time.sleep(3 * REFRESH_SECONDS)  # the first batch is being scored: nothing updated yet
    early = stream.getvalue().split("\r")[1:]
    assert len(early) >= 2 and all(" 0 variants in 00:0" in line for line in early)
    progress.update(256, 0.4)
    time.sleep(2 * REFRESH_SECONDS)
    assert " 40% 256 variants in " in stream.getvalue().split("\r")[-1]
    progress.finish(300)
    last = stream.getvalue().split("\r")[-1]
    assert last.startswith("[########################] 100% 300 variants in 00:0")
    assert last.endswith("ETA 00:00  \n")
    progress.stop()  # idempotent: no second line break
    assert stream.getvalue().endswith("  \n")


def test_a_stopped_bar_ends_its_line_only_if_it_drew_one() -> None:
    quiet = io.StringIO()
    Progress(quiet).stop()
    assert quiet.getvalue() == ""
