"""``logoscore serve`` closes connections that never finish a request head."""

import socket
import time
from urllib.parse import urlparse

from tests.service.live_server import serving


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False


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
