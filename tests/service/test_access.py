"""API keys, per-key quotas, the upload limit and CORS, on the real app."""

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.reference import ReferenceGenome
from service.access import Caller, KeyFileError, load_keys
from service.keys import hash_key
from service.main import create_app
from service.settings import DEMO_FASTA, Settings
from tests.service.redis_server import RedisServer

KEYS = {"lab-a": "key-of-lab-a-1234", "lab-b": "key-of-lab-b-5678"}
VARIANT = {"variants": ["20:1292033:C:T"]}


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    lines = []
    for name, key in KEYS.items():
        made = subprocess.run(
            [sys.executable, "-m", "service.cli", "hash-key", name],
            input=key,
            capture_output=True,
            text=True,
            check=True,
        )
        lines.append(made.stdout)
    path = tmp_path / "keys"
    path.write_text("# name sha256\n" + "".join(lines))
    return path


def _client(**settings: object) -> TestClient:
    return TestClient(create_app(Settings(**settings)))  # type: ignore[arg-type]


def test_the_key_file_holds_hashes_only(keys_file: Path) -> None:
    text = keys_file.read_text()
    assert all(key not in text for key in KEYS.values())
    assert load_keys(keys_file) == {hash_key(key): Caller(name) for name, key in KEYS.items()}


def test_a_malformed_key_file_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"lab-a {hash_key('x')}\nlab-b plain-text-key\n")
    with pytest.raises(KeyFileError, match=r"line 2: .*logoscore hash-key NAME"):
        load_keys(path)


def test_with_keys_scoring_needs_one_and_the_probes_do_not(keys_file: Path) -> None:
    with _client(api_keys_file=keys_file) as client:
        missing = client.post("/score", json=VARIANT)
        wrong = client.post("/score", json=VARIANT, headers={"X-API-Key": "guess"})
        right = client.post("/score", json=VARIANT, headers={"X-API-Key": KEYS["lab-a"]})
        assert missing.status_code == wrong.status_code == 401
        assert "X-API-Key header" in missing.json()["detail"]
        assert right.status_code == 200 and right.json()["results"][0]["status"] == "scored"
        assert client.get("/models").status_code == 401
        assert client.get("/jobs/nope").status_code == 401
        for open_path in ("/health/live", "/health/ready", "/metrics", "/docs", "/openapi.json"):
            assert client.get(open_path).status_code == 200, open_path


def _use_up(client: TestClient, key: str, requests: int) -> None:
    for _ in range(requests):
        assert client.get("/models", headers={"X-API-Key": key}).status_code == 200


def test_a_key_past_its_quota_gets_429_with_retry_after_and_others_go_on(
    keys_file: Path,
) -> None:
    with _client(api_keys_file=keys_file, quota_requests=3, quota_window_seconds=3600) as client:
        _use_up(client, KEYS["lab-a"], 3)
        refused = client.get("/models", headers={"X-API-Key": KEYS["lab-a"]})
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        assert "lab-a" in refused.json()["detail"] and "POST /jobs" in refused.json()["detail"]
        assert KEYS["lab-a"] not in refused.text
        # same client address, another key: quotas are per key, never per IP
        _use_up(client, KEYS["lab-b"], 3)


def test_api_processes_share_a_key_quota_through_redis(
    keys_file: Path, redis_server: RedisServer
) -> None:
    settings = {
        "api_keys_file": keys_file,
        "quota_requests": 3,
        "quota_window_seconds": 3600,
        "redis_url": redis_server.url,
    }
    with _client(**settings) as first, _client(**settings) as second:
        _use_up(first, KEYS["lab-a"], 2)
        _use_up(second, KEYS["lab-a"], 1)
        assert first.get("/models", headers={"X-API-Key": KEYS["lab-a"]}).status_code == 429
        assert second.get("/models", headers={"X-API-Key": KEYS["lab-a"]}).status_code == 429
        redis_server.stop()  # counting fails open: scoring matters more than counting
        answer = second.post("/score", json=VARIANT, headers={"X-API-Key": KEYS["lab-b"]})
        assert answer.status_code == 200


@pytest.fixture
def small_limit() -> Iterator[TestClient]:
    with _client(max_upload_bytes=2_000) as client:
        yield client


def _vcf(records: int) -> bytes:
    header = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    body = "".join(f"20\t{1292033 + i}\t.\tC\tT\t.\tPASS\t.\n" for i in range(records))
    return (header + body).encode()


def test_an_upload_over_the_limit_is_413_naming_the_setting(small_limit: TestClient) -> None:
    big = _vcf(200)
    answer = small_limit.post("/score/vcf", files={"file": ("big.vcf", big, "text/plain")})
    assert answer.status_code == 413
    assert "LOGOSCORE_MAX_UPLOAD_BYTES" in answer.json()["detail"]
    small = small_limit.post("/score/vcf", files={"file": ("one.vcf", _vcf(1), "text/plain")})
    assert small.status_code == 200


def test_a_chunked_upload_over_the_limit_is_413_too(small_limit: TestClient) -> None:
    boundary = "logoscore-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.vcf"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + _vcf(200)
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        stream = io.BytesIO(body)
        while block := stream.read(500):
            yield block

    answer = small_limit.post(
        "/score/vcf",
        content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert answer.status_code == 413
    assert "LOGOSCORE_MAX_UPLOAD_BYTES" in answer.json()["detail"]
    assert small_limit.get("/health/live").status_code == 200


def test_too_many_variants_for_a_synchronous_request_points_to_jobs() -> None:
    with _client(max_variants_per_request=2) as client:
        answer = client.post("/score", json={"variants": ["20:1292033:C:T"] * 3})
    assert answer.status_code == 413 and "POST /jobs" in answer.json()["detail"]


def test_cors_follows_the_configured_origins() -> None:
    preflight = {
        "Origin": "https://lab.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key, content-type",
    }
    with _client(cors_origins=["https://lab.example"]) as client:
        allowed = client.options("/score", headers=preflight)
        other = client.options("/score", headers={**preflight, "Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://lab.example"
    assert "access-control-allow-origin" not in other.headers
    with _client() as client:  # none configured: no CORS headers at all
        closed = client.options("/score", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers


@pytest.mark.slow
def test_a_request_past_the_timeout_is_504_pointing_to_jobs_and_the_server_goes_on() -> None:
    reference = ReferenceGenome(DEMO_FASTA)
    positions = [1_300_000 + 11 * i for i in range(60)]
    snvs = [f"20:{p}:{reference.fetch('20', p - 1, p)}:N" for p in positions]  # 60 model passes
    with _client(request_timeout_seconds=0.05) as client:
        slow = client.post("/score", json={"variants": snvs})
        assert slow.status_code == 504
        assert "LOGOSCORE_REQUEST_TIMEOUT_SECONDS" in slow.json()["detail"]
        assert "POST /jobs" in slow.json()["detail"]
        region = {"chrom": "20", "start": 1_300_000, "end": 1_300_010}
        slow_ism = client.post("/ism", json=region)
        assert slow_ism.status_code == 504 and "POST /jobs/ism" in slow_ism.json()["detail"]
        assert client.get("/health/live").status_code == 200
        # a job submission (an upload that may take long to arrive) is not timed out
        files = {"file": ("snvs.vcf", _vcf(20_000), "text/plain")}
        assert client.post("/jobs", files=files).status_code == 202


def _submit(client: TestClient, key: str, idempotency: str | None = None) -> str:
    headers = {"X-API-Key": key} | ({"Idempotency-Key": idempotency} if idempotency else {})
    vcf = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"
    vcf += "\tLAB_A_SAMPLE\n"
    vcf += "20\t1292033\t.\tC\tT\t.\tPASS\t.\tGT\t0|1\n"
    response = client.post("/jobs", files={"file": ("a.vcf", vcf.encode())}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_a_job_is_seen_only_by_the_key_that_sent_it(keys_file: Path) -> None:
    admin_key = "key-of-the-operator-0000"
    with keys_file.open("a") as handle:
        handle.write(f"operator {hash_key(admin_key)} admin\n")
    a, b = {"X-API-Key": KEYS["lab-a"]}, {"X-API-Key": KEYS["lab-b"]}
    with _client(api_keys_file=keys_file) as client:
        job = _submit(client, KEYS["lab-a"], idempotency="run-7")
        for _ in range(600):
            if client.get(f"/jobs/{job}", headers=a).json()["state"] == "finished":
                break
            time.sleep(0.1)
        never = "0" * 32
        for path in (f"/jobs/{job}", f"/jobs/{job}/result?format=vcf", f"/jobs/{job}/report"):
            seen_by_b, unknown = (
                client.get(path, headers=b),
                client.get(f"/jobs/{never}", headers=b),
            )
            assert seen_by_b.status_code == unknown.status_code == 404
            assert seen_by_b.json()["detail"] == unknown.json()["detail"].replace(never, job)
        assert client.delete(f"/jobs/{job}", headers=b).status_code == 404
        result = client.get(f"/jobs/{job}/result?format=vcf", headers=a)
        assert result.status_code == 200 and "LAB_A_SAMPLE" in result.text  # A's job intact
        report = client.get(f"/jobs/{job}/report", headers=a)
        assert report.status_code == 200 and "20:1292033:C:T" in report.text
        assert "LAB_A_SAMPLE" not in report.text  # a report names no sample
        assert _submit(client, KEYS["lab-b"], idempotency="run-7") != job  # keys are per owner
        assert _submit(client, KEYS["lab-a"], idempotency="run-7") == job
        operator = {"X-API-Key": admin_key}
        assert client.get(f"/jobs/{job}", headers=operator).status_code == 200
        assert client.delete(f"/jobs/{job}", headers=operator).status_code == 204
        assert client.get(f"/jobs/{job}", headers=a).status_code == 404


@pytest.mark.parametrize("job_id", ["nope", "0" * 32 + ":started", "../" + "0" * 32, "A" * 32])
def test_malformed_job_ids_are_404(client: TestClient, job_id: str) -> None:
    for method in ("GET", "DELETE"):
        assert client.request(method, f"/jobs/{job_id}").status_code == 404


@pytest.mark.slow
def test_a_broken_key_file_breaks_no_import_and_stops_serve_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "keys"
    broken.write_text("lab-a not-a-hash\n")
    env = {**os.environ, "LOGOSCORE_API_KEYS_FILE": str(broken)}
    imported = subprocess.run([sys.executable, "-c", "import service.main"], env=env)
    assert imported.returncode == 0
    served = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 2
    assert served.stderr.count("\n") == 1 and str(broken) in served.stderr
