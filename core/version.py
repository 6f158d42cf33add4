"""The running logoscore's version: the installed distribution's, or, run from a source tree
that was never installed (``PYTHONPATH`` pointing at a checkout, as on the GPU bench machine),
the version its ``pyproject.toml`` declares."""

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@cache
def logoscore_version() -> str:
    try:
        return version("logoscore")
    except PackageNotFoundError:
        with PYPROJECT.open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
