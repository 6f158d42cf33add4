import subprocess
import sys


def _loads_without(modules: str, banned: set[str]) -> None:
    """Importing ``modules`` (comma-separated) in a fresh interpreter loads none of ``banned``."""
    code = f"import {modules}, sys; bad = {banned!r} & set(sys.modules); assert not bad, bad"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_service_main_loads_without_torch() -> None:
    _loads_without("service.main", {"torch"})


def test_core_imports_no_framework() -> None:
    _loads_without(
        "core.classify, core.kmers, core.manifest, core.scoring, core.vcf",
        {"torch", "onnxruntime", "fastapi"},
    )


def test_the_cli_and_the_worker_load_matplotlib_only_to_draw() -> None:
    _loads_without("service.cli, service.jobs.worker", {"matplotlib"})
