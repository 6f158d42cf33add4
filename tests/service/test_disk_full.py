"""A full disk while the API holds an upload: 507 with ``Retry-After`` and a message, nothing
scored or queued, and the server goes on serving once there is space again.

The upload's file is a symlink to ``/dev/full``, where every write fails with ``ENOSPC`` from
the kernel, as on a full disk."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.jobs import router as jobs
from service.routes import score

VCF = (
    b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    b"20\t1292033\t.\tC\tT\t.\t.\t.\n"
)


@contextmanager
def _full_disk_directory() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        for name in ("upload.vcf", "upload.vcf.gz"):
            (Path(directory) / name).symlink_to("/dev/full")
        yield directory


@pytest.mark.parametrize(("route", "module"), [("/score/vcf", score), ("/jobs", jobs)])
def test_a_full_disk_while_holding_an_upload_is_507_and_nothing_is_queued(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, route: str, module: object
) -> None:
    submitted = _jobs_submitted(client)
    with monkeypatch.context() as patch:
        patch.setattr(module, "temporary_directory", _full_disk_directory)
        response = client.post(route, files={"file": ("in.vcf", VCF, "text/plain")})
    assert response.status_code == 507
    assert response.headers["Retry-After"] == "60"
    assert "no disk space left" in response.json()["detail"]
    assert "nothing was scored or queued" in response.json()["detail"]
    assert _jobs_submitted(client) == submitted
    again = client.post(route, files={"file": ("in.vcf", VCF, "text/plain")})
    assert again.status_code in (200, 202), again.text


def _jobs_submitted(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("logoscore_jobs_submitted_total "):
            return float(line.split()[1])
    raise AssertionError("no logoscore_jobs_submitted_total in /metrics")
