"""The busiest hour: the app alone and behind its nginx front, against nginx serving the same bytes, with wrk.

In one run on this machine:
* nginx serves the exact bytes the app answered (a service page, a postcode answer, a search) as static
  files: the peer every figure is compared with;
* the app alone, served as `make run` serves it (gunicorn with gunicorn.conf.py), for the same three
  addresses, and for a postcode answer across every postcode of the demo (a cache cannot hold one answer);
* the app behind deploy/nginx.conf (the documented front) for the service page, and a storm of 200
  connections for 30 s through the front.
Targets (the ratio is the target; absolute figures vary by machine): the app alone at least 1/15 of
nginx's rate for a service page (p99 under 50 ms), 1/30 for a postcode answer, 1/40 for a search; through
the front at least 1/2 of nginx's rate; the storm with no 5xx and p99 under 100 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import cpu_model, write_section

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "BENCHMARKS.md"
HEADING = "Busiest hour: pages under load (wrk, beside nginx)"
SECONDS = int(os.environ.get("TOWNHALL_BENCH_SECONDS", "10"))
ADDRESSES = {
    "service page": "/services/report-a-missed-bin",
    "postcode answer": "/your-area?postcode=BK1+1AA",
    "search": "/search?q=missed+bin",
}
TARGETS = {"service page": 15, "postcode answer": 30, "search": 40}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def start_app(work: Path, port: int) -> subprocess.Popen:
    environment = {**os.environ, "TOWNHALL_INSTANCE": str(work / "instance"), "PYTHONPATH": str(ROOT / "site"),
                   "TOWNHALL_PROXY_COUNT": "1"}
    config = ["-c", str(ROOT / "gunicorn.conf.py")] if (ROOT / "gunicorn.conf.py").exists() else []
    return subprocess.Popen([str(BIN / "gunicorn"), *config, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def static_nginx(work: Path, port: int, pages: dict[str, bytes]) -> subprocess.Popen:
    """nginx serving each page's bytes as a file: the same bytes, with none of the app's work."""
    site = work / "static"
    site.mkdir(parents=True, exist_ok=True)
    for name, body in pages.items():
        (site / f"{name.replace(' ', '-')}.html").write_bytes(body)
    prefix = work / "nginx-static"
    prefix.mkdir(exist_ok=True)
    (prefix / "nginx.conf").write_text(f"""
worker_processes auto; pid {prefix}/nginx.pid; error_log {prefix}/error.log warn; daemon off;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 4096; }}
http {{
    access_log off; sendfile on; tcp_nopush on; keepalive_timeout 30s;
    client_body_temp_path {prefix}/b; proxy_temp_path {prefix}/p; fastcgi_temp_path {prefix}/f;
    uwsgi_temp_path {prefix}/u; scgi_temp_path {prefix}/s;
    server {{ listen 127.0.0.1:{port}; root {site}; default_type text/html; }}
}}
""")
    return subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def front_nginx(work: Path, port: int, app_port: int) -> subprocess.Popen:
    sys.path.insert(0, str(ROOT / "deploy"))
    prefix = work / "nginx-front"
    (prefix / "cache").mkdir(parents=True, exist_ok=True)
    render = subprocess.run([sys.executable, str(ROOT / "deploy" / "render-nginx"), str(prefix), f"127.0.0.1:{port}",
                             "localhost", f"127.0.0.1:{app_port}"], capture_output=True, text=True, check=True)
    text = render.stdout.replace("events {", ("user root;\n" if os.geteuid() == 0 else "") + "daemon off;\nevents {", 1)
    (prefix / "nginx.conf").write_text(text)
    return subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wrk(url: str, connections: int = 32, seconds: int = SECONDS, script: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *(["-s", str(script)] if script else []),
               url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rate": rate, "p50_ms": _ms(latencies.get("50", "0ms")), "p99_ms": _ms(latencies.get("99", "0ms")),
            "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def postcode_script(work: Path) -> Path:
    """A wrk script that asks for every demo postcode in turn (no single cached answer)."""
    sys.path.insert(0, str(ROOT / "site"))
    from townhall.places.store import StoredGeodata

    stored = StoredGeodata.open(ROOT / "geodata")
    postcodes = [key.decode().strip().replace(" ", "+") for key, withdrawn in zip(stored.keys, stored.withdrawn,
                                                                                    strict=True) if not withdrawn]
    path = work / "postcodes.lua"
    listed = ",".join(f'"{code}"' for code in postcodes)
    path.write_text(f"""
local postcodes = {{{listed}}}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/your-area?postcode=" .. postcodes[(counter % #postcodes) + 1])
end
""")
    return path


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main() -> int:
    if not shutil.which("wrk") or not shutil.which("nginx"):
        print("wrk and nginx are needed (make bench installs them from Debian)", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="townhall-storm-"))
    os.chmod(work, 0o755)
    app_port, static_port, front_port = free_port(), free_port(), free_port()
    processes = [start_app(work, app_port)]
    try:
        app = f"http://127.0.0.1:{app_port}"
        wait_for(app + "/healthz")
        pages = {name: fetch(app + path) for name, path in ADDRESSES.items()}
        processes.append(static_nginx(work, static_port, pages))
        processes.append(front_nginx(work, front_port, app_port))
        wait_for(f"http://127.0.0.1:{static_port}/service-page.html")
        wait_for(f"http://127.0.0.1:{front_port}/healthz")
        rows, results = [], {}
        for name, path in ADDRESSES.items():
            peer = wrk(f"http://127.0.0.1:{static_port}/{name.replace(' ', '-')}.html")
            alone = wrk(app + path)
            results[name] = (peer, alone)
            rows.append((name, peer, alone))
        every_postcode = wrk(app + "/your-area", script=postcode_script(work))
        front_peer = wrk(f"http://127.0.0.1:{static_port}/service-page.html")
        front = wrk(f"http://127.0.0.1:{front_port}{ADDRESSES['service page']}")
        storm = wrk(f"http://127.0.0.1:{front_port}{ADDRESSES['service page']}", connections=200, seconds=30)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    lines = [f"## {HEADING}", "",
             f"{dt.date.today().isoformat()}, {os.cpu_count()} cores ({cpu_model('unknown CPU')}), load average "
             f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end; wrk, 2 threads, 32 connections, {SECONDS} s "
             "each, on the same machine as the servers. The app runs as `make run` runs it (gunicorn.conf.py).", "",
             "| Answer | nginx, same bytes (req/s) | app alone (req/s) | ratio | target | app p50 / p99 | errors |",
             "|---|---|---|---|---|---|---|"]
    for name, peer, alone in rows:
        ratio = peer["rate"] / alone["rate"] if alone["rate"] else float("inf")
        verdict = "met" if ratio <= TARGETS[name] else "NOT met"
        lines.append(f"| {name} | {peer['rate']:,.0f} | {alone['rate']:,.0f} | 1/{ratio:.1f} | 1/{TARGETS[name]} "
                     f"({verdict}) | {alone['p50_ms']:.1f} / {alone['p99_ms']:.1f} ms | "
                     f"{alone['errors'] + alone['socket_errors']} |")
    ratio = front_peer["rate"] / front["rate"] if front["rate"] else float("inf")
    lines += ["", f"- Every demo postcode in turn (no single cached answer): {every_postcode['rate']:,.0f} req/s, "
                  f"p99 {every_postcode['p99_ms']:.1f} ms, {every_postcode['errors']} errors.",
              f"- Through the nginx front (deploy/nginx.conf): a service page at {front['rate']:,.0f} req/s against "
              f"nginx's {front_peer['rate']:,.0f} (1/{ratio:.1f}; target 1/2: {'met' if ratio <= 2 else 'NOT met'}), "
              f"p99 {front['p99_ms']:.1f} ms.",
              f"- Storm, 200 connections for 30 s through the front: {storm['rate']:,.0f} req/s, p99 "
              f"{storm['p99_ms']:.1f} ms (target 100 ms: {'met' if storm['p99_ms'] < 100 else 'NOT met'}), "
              f"{storm['errors']} non-2xx/3xx answers, {storm['socket_errors']} socket errors."]
    write_section(RESULTS, HEADING, "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
