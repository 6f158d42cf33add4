"""How busy the model sessions were: overlapping calls count once, idle gaps not at all."""

from service.scoring.call_load import CallLoad, LoadFigures


class Clock:
    """A clock read by hand: ``now`` is what the next reading gives."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_overlapping_calls_count_once_and_gaps_not_at_all() -> None:
    clock = Clock()
    load = CallLoad(clock)
    assert load.figures() == LoadFigures(0, 0, 0.0, 0.0)
    clock.now = 10.0
    first = load.call(4096)
    first.__enter__()
    clock.now = 12.0
    with load.call(100):  # 12-13, inside the first call: 10-14
        clock.now = 13.0
    clock.now = 14.0
    first.__exit__(None, None, None)
    clock.now = 16.0  # idle 14-16
    try:
        with load.call(904):
            clock.now = 17.0
            raise RuntimeError("a failed call counts too")
    except RuntimeError:
        pass
    figures = load.figures()
    assert figures == LoadFigures(calls=3, rows=5100, span_seconds=7.0, busy_seconds=5.0)
    assert figures.busy_fraction == 5 / 7
    assert figures.describe(2) == (
        "model sessions (2): 3 calls of 1,700 rows on average in 7.0 s, a call running 71% of "
        "the time"
    )


def test_the_figures_of_a_period_are_the_difference_over_its_length() -> None:
    earlier = LoadFigures(calls=10, rows=40_000, span_seconds=30.0, busy_seconds=27.0)
    later = LoadFigures(calls=70, rows=280_000, span_seconds=90.0, busy_seconds=84.0)
    period = later.since(earlier, 60.0)
    assert period == LoadFigures(calls=60, rows=240_000, span_seconds=60.0, busy_seconds=57.0)
    assert period.busy_fraction == 0.95
    assert LoadFigures(0, 0, 0.0, 0.0).describe(1) == "model sessions (1): no call"
