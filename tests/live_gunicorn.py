"""The site served by real gunicorn on a free loopback port, for tests and benchmarks that need a real server.

Hostile clients (half-sent bodies, malformed chunked encoding, floods of speech
requests) behave differently against a real server than against the Flask test
client, so these run the same command as ``make run``: ``gunicorn -c
gunicorn.conf.py wsgi:app``. gunicorn binds port 0 and the port it got is read
from its log, so two runs never race for a port. The server is always stopped
(``with`` block), its whole process group killed if it does not stop in time.

A plain module (not a pytest plugin) so that ``benches/`` can use it too.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
LISTENING = re.compile(r"Listening at: http://([\d.]+):(\d+)")


class GunicornServer:
    """``with GunicornServer(instance) as server: server.get("/")``.

    `config`: the gunicorn configuration file (default: the project's, as ``make run`` uses);
    None runs gunicorn with only `arguments` (the "before" of a benchmark).
    `environment`: TOWNHALL_* settings for the app. Logs go to files in `instance`.
    """

    def __init__(self, instance: Path, *, config: Path | None = ROOT / "gunicorn.conf.py",
                 arguments: Sequence[str] = (), environment: Mapping[str, str] | None = None,
                 start_timeout: float = 120.0) -> None:
        self.instance = Path(instance)
        self.config = config
        self.arguments = list(arguments)
        self.environment = dict(environment or {})
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.access_log = self.instance / "access.log"
        self.error_log = self.instance / "error.log"
        self.output_log = self.instance / "output.log"  # what the app itself writes to stderr

    # --- starting and stopping ------------------------------------------------------------

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def command(self) -> list[str]:
        config_file = self.config
        if config_file is None:  # gunicorn reads ./gunicorn.conf.py unless told another file: an empty one
            config_file = self.instance / "no-settings.conf.py"
            config_file.write_text("", encoding="utf-8")
        config = ["-c", str(config_file)]
        return [str(GUNICORN), *config, "--bind", "127.0.0.1:0", "--access-logfile", str(self.access_log),
                "--error-logfile", str(self.error_log), *self.arguments, "wsgi:app"]

    def start(self) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "site"),
            "TOWNHALL_INSTANCE": str(self.instance),
            **self.environment,
        }
        with open(self.output_log, "ab") as output:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=environment, stdin=subprocess.DEVNULL,
                                            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            if not self.port:
                found = LISTENING.search(self.error_text())
                if found:
                    self.host, self.port = found.group(1), int(found.group(2))
            if self.port:
                try:
                    if self.get("/healthz", timeout=5)[0] == 200 and self._workers_warm():
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start within {self.start_timeout:g} s:\n{self.log_tail()}")

    def _workers_warm(self) -> bool:
        """With the project's configuration, every worker has drawn its first pages (gunicorn.conf.py's
        post_worker_init), so nothing it logs while warming up lands in a test's log lines."""
        if self.config != ROOT / "gunicorn.conf.py":
            return True
        log = self.error_text()
        return log.count("Worker warmed up") + log.count("starts cold") >= log.count("Booting worker")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass

    # --- talking to it --------------------------------------------------------------------

    def connection(self, timeout: float = 10.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0
            ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one GET on a fresh connection."""
        connection = self.connection(timeout)
        try:
            connection.request("GET", path, headers=dict(headers or {}))
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def error_text(self) -> str:
        try:
            return self.error_log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def access_text(self) -> str:
        try:
            return self.access_log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def output_text(self) -> str:
        try:
            return self.output_log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join((self.error_text() + self.output_text()).splitlines()[-lines:])
