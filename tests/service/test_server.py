"""``logoscore serve`` closes connections that never finish a request head."""

import socket
import subprocess
import time
from urllib.parse import urlparse

import pytest

from tests.service.live_server import LOGOSCORE, serving
from tests.service.redis_server import free_port


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False


@pytest.mark.slow
def test_a_half_sent_request_head_is_dropped_and_a_whole_one_served() -> None:
    with serving({"LOGOSCORE_HEADER_TIMEOUT_SECONDS": "1"}) as url:
        address = urlparse(url)
        host, port = address.hostname or "", address.port or 0
        half = socket.create_connection((host, port))
        half.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        started = time.monotonic()
        assert _closed_within(half, 5)
        assert time.monotonic() - started < 3
        whole = socket.create_connection((host, port))
        whole.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        whole.settimeout(5)
        assert whole.recv(1024).startswith(b"HTTP/1.1 200")


def test_serve_says_what_it_serves_and_where_its_docs_are() -> None:
    port = free_port()
    process = subprocess.Popen(
        [*LOGOSCORE, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    try:
        lines: list[str] = []
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "Application startup complete" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = "".join(lines)
    assert f"http://127.0.0.1:{port}/docs" in text
    assert "serving model logoscore-demo-chr20" in text and "(fp32 fused, sha256 " in text
    assert "against reference GRCh37_chr20_1-6000000.fa (seqcol " in text
