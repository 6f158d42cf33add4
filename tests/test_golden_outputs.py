"""Every entry point and format gives what it gave when the fixtures were written
(``tests/golden.py``; numbers within the tolerance CPUs need)."""

from pathlib import Path

import pytest

from tests.golden import expected, outputs, same_text

pytestmark = pytest.mark.slow


def test_every_entry_point_and_format_matches_its_golden_output(tmp_path: Path) -> None:
    problems = [
        f"{entry_point} {fixture}: {problem}"
        for fixture, entry_point, text in outputs(tmp_path)
        if (problem := same_text(text, expected(fixture)))
    ]
    assert not problems, "\n".join(problems)
