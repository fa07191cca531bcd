"""Hostile requests against the real server (gunicorn with gunicorn.conf.py, as `make run`): malformed
chunked bodies, an absurd Host header, slow senders, and what the access log keeps."""

from __future__ import annotations

import socket
import time

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(start_server):
    return start_server(TOWNHALL_BODY_TIMEOUT="2")


def raw(server, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are and read the whole answer (the server closes the connection)."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as connection:
        connection.sendall(data)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def log_lines(server) -> int:
    return len((server.error_text() + server.output_text()).splitlines())


@pytest.mark.parametrize("path", ["/settings", "/settings/reset"])
@pytest.mark.parametrize("chunk", [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcdef\r\n0\r\n\r\n", b"-1\r\n\r\n"])
def test_malformed_chunked_bodies_get_a_kind_400(server, path: str, chunk: bytes) -> None:
    answer = raw(server, f"POST {path} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode() + chunk)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), head[:200]
    assert b"we could not understand that request" in body  # the site's own kind page, not gunicorn's
    assert "Traceback" not in server.error_text() + server.output_text()


def test_a_huge_host_header_gets_a_plain_400_and_one_log_line(server) -> None:
    before = log_lines(server)
    status, headers, body = server.get("/", headers={"Host": "a" * 3000})
    assert status == 400 and headers["content-type"].startswith("text/html")
    assert b"we could not understand that request" in body and b"<h1>" in body
    time.sleep(0.3)
    logged = (server.error_text() + server.output_text()).splitlines()[before:]
    assert len(logged) <= 1, logged
    assert "Traceback" not in "\n".join(logged)


def test_slow_senders_do_not_keep_the_home_page_waiting(server) -> None:
    held = []
    for _ in range(4):  # twice what once made the site unreachable
        connection = socket.create_connection((server.host, server.port), timeout=30)
        connection.sendall(b"POST /settings HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
                           + b"a" * 500)
        held.append(connection)
    try:
        times = []
        for _ in range(20):
            started = time.perf_counter()
            assert server.get("/", timeout=10)[0] == 200
            times.append(time.perf_counter() - started)
        assert sorted(times)[-2] < 1.0, times  # all but the slowest well under a second on a busy machine
        # The stalled senders are answered 408 once the body time runs out, and their threads are free again.
        held[0].settimeout(10)
        assert held[0].recv(100).startswith(b"HTTP/1.1 408")
    finally:
        for connection in held:
            connection.close()


def test_the_access_log_holds_no_personal_data(server) -> None:
    private = [
        "/search?q=Zebraquokka+lives+at+12+Acacia+Avenue",
        "/your-area?postcode=BK3+1FB",
        "/find-my-nearest?category=libraries&postcode=BK3+1FB",
        "/api/postcodes/BK3%201FB",
        "/cy/api/postcodes/BK3%201FB",
        "/listen?page=/search%3Fq%3DZebraquokka",
        "/track/ABC-123-XYZ",
    ]
    for path in private:
        server.get(path, headers={"Referer": "http://localhost/search?q=Wombatokapi",
                                  "User-Agent": "Narwhalbongo/1.0"})
    time.sleep(0.3)
    log = server.access_text()
    for secret in ("Zebraquokka", "Acacia", "BK3", "1FB", "ABC-123", "Wombatokapi", "Narwhalbongo", "127.0.0.1"):
        assert secret not in log, secret
    assert '"GET /search?… HTTP/1.1" 200' in log
    assert '"GET /api/postcodes/… HTTP/1.1"' in log and '"GET /track/… HTTP/1.1"' in log


@pytest.mark.parametrize("target", [b"/search?q=\xff\x80", b"/staff/?next=\xc3", b"/api/openreferral/services?page=\x80",
                                    b"/cy/search?q=caf\xe9"])
def test_raw_bytes_in_the_query_string_are_a_400_not_a_500(server, target: bytes) -> None:
    # gunicorn refuses a request line with bytes outside ASCII itself; other servers (the development server)
    # pass them on, and the app percent-encodes them (townhall/web/bodies.py, tests/web/test_odd_requests.py)
    answer = raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    status = answer.split(b"\r\n", 1)[0]
    assert status.startswith(b"HTTP/1.1 4"), status


def test_an_encoded_carriage_return_before_a_trailing_slash_is_a_redirect_not_a_500(server) -> None:
    # The server decodes %0D into the path; the redirect to the address without the slash put it in Location.
    answer = raw(server, b"GET /api/openreferral/organizations/%0D/ HTTP/1.1\r\nHost: localhost\r\n"
                         b"Connection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 308"), head[:200]
    assert b"Location: /api/openreferral/organizations/%0D\r\n" in head + b"\r\n"


def test_metrics_add_up_every_workers_answers_and_workers_start_warm(server) -> None:
    import re
    from concurrent.futures import ThreadPoolExecutor

    def served() -> float:
        text = server.get("/metrics")[2].decode()
        found = re.search(r'^townhall_requests_total\{route="/services/<slug>",status="200"\} ([\d.e+]+)$', text, re.M)
        return float(found.group(1)) if found else 0.0

    deadline = time.monotonic() + 30
    while server.error_text().count("Worker warmed up") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    before = served()
    with ThreadPoolExecutor(8) as pool:  # new connections, shared between the two workers by the kernel
        statuses = list(pool.map(lambda _: server.get("/services/report-a-missed-bin")[0], range(200)))
    assert statuses == [200] * 200
    time.sleep(1.5)  # page cache hits reach Prometheus once a second, from each worker
    assert served() - before == 200
    assert server.error_text().count("Worker warmed up") >= 2
