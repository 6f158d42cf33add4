import subprocess
import sys


def test_service_main_loads_without_torch() -> None:
    code = "import service.main, sys; assert 'torch' not in sys.modules, 'service imported torch'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_imports_no_framework() -> None:
    code = (
        "import core.classify, core.kmers, core.manifest, core.scoring, core.vcf, sys; "
        "bad = {'torch', 'onnxruntime', 'fastapi'} & set(sys.modules); assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_cli_and_the_worker_load_matplotlib_only_to_draw() -> None:
    code = (
        "import service.cli, service.jobs.worker, sys; "
        "assert 'matplotlib' not in sys.modules, 'the CLI imported matplotlib'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
