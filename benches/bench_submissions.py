"""Submissions benchmark: a storm's worth of web forms, served by gunicorn, on SQLite and on PostgreSQL.

16 clients send the contact form's final "Send" over and over for a minute, as fast as the server answers:
16 wrk connections (wrk is written in C, so the load costs this 2-core machine little of the CPU the server
needs), rotating through 16 sessions (cookie and CSRF token, fetched once); without wrk, 16 Python threads,
each with its own session and keep-alive connection (they take a good share of the CPU themselves). A submission counts when the server
answers 303 to the confirmation page: the case, its timeline and its acknowledgement email are committed
by then (SQLite with synchronous=FULL: one fsync per submission; PostgreSQL with fsync on). Nothing is
mocked: the real app under gunicorn on a local port, CSRF checked, the per-client limit counted (each
submission comes from its own X-Forwarded-For address through TOWNHALL_PROXY_COUNT=1, so the limit runs
but is not what is measured), and each worker's outbox thread writing the emails to .eml files while the
storm goes on. Afterwards the rows are counted: every answered submission must be a stored case with its
email, and nothing else may be there. Then the outbox is left to drain.

    PYTHONPATH=site python benches/bench_submissions.py [--seconds 60] [--clients 16] [--only sqlite] [--load python]

Target (issue 10): at least 100 submissions a second for a minute with p99 under 500 ms, nothing lost.
Results replace only the "## Submissions" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from _common import cpu_model, percentile, write_section  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')  # the form's own field: the first on a form page
TARGET_RATE, TARGET_P99 = 100, 0.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL 15 cluster with the default durability (fsync on), on a local port."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-submissions-pg-"))
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.folder, self.user)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def __enter__(self) -> Postgres:
        data = self.folder / "data"
        self._run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(self.folder / "log"),
                  "start")
        return self

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Server:
    """gunicorn serving wsgi:app as `make run` does, in its own process group."""

    instance: Path
    index: str
    database_url: str | None
    workers: int
    threads: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        environment = {**os.environ, "PYTHONPATH": str(ROOT / "site"), "TOWNHALL_INSTANCE": str(self.instance),
                       "TOWNHALL_SEARCH_INDEX": self.index, "TOWNHALL_SECRET_KEY": "benchmark key, long enough",
                       "TOWNHALL_PROXY_COUNT": "1"}
        if self.database_url:
            environment["TOWNHALL_DATABASE_URL"] = self.database_url
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--timeout", "120", "--log-level", "warning"]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.log = open(self.instance / "gunicorn.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=environment, stdout=self.log,
                                        stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError((self.instance / "gunicorn.log").read_text(errors="replace")[-3000:]) from None
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(60)
        self.log.close()


@dataclass
class Client:
    """One resident's browser: a keep-alive connection, its session cookie and CSRF token."""

    port: int
    number: int
    answers: list[tuple[float, float]] = field(default_factory=list)  # (answered at, seconds taken): each 303
    failures: list[tuple[float, str]] = field(default_factory=list)  # (at, what went wrong)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.connection.request("GET", "/contact")
        answer = self.connection.getresponse()
        page = answer.read().decode()
        self.cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
        self.token = TOKEN.search(page).group(1)
        self.sent = 0

    def submit(self) -> None:
        self.sent += 1
        address = f"10.{self.number}.{self.sent // 250 % 250}.{self.sent % 250 + 1}"  # one address per form
        body = urlencode({
            "csrf_token": self.token, "step": "check", "go": "send", "service": "report-a-missed-bin",
            "details": f"Storm damage: a tree is down in my street ({self.number}-{self.sent}). "
                       + random.choice(("The road is blocked.", "The bins were not collected.", "A wall fell.")),
            "name": "Jo Bloggs", "contact_preference": "email", "email": f"resident{self.number}@example.com",
            "postcode": "BK1 1AA",
        })
        started = time.perf_counter()
        try:
            self.connection.request("POST", "/contact", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie,
                "X-Forwarded-For": address})
            answer = self.connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.failures.append((time.monotonic(), type(error).__name__))
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return
        took = time.perf_counter() - started
        if answer.status == 303 and answer.getheader("Location", "").endswith("/contact/confirmation"):
            self.answers.append((time.monotonic(), took))
        else:
            self.failures.append((time.monotonic(), f"HTTP {answer.status}"))


def storm(port: int, clients: int, seconds: float, warm_up: float) -> tuple[list[Client], float, float]:
    """`clients` threads sending forms for `warm_up` + `seconds`; returns them and the measured window."""
    residents = [Client(port, number) for number in range(clients)]
    ready = threading.Barrier(clients + 1)
    began = [0.0]

    def run(client: Client) -> None:
        ready.wait()
        while time.monotonic() < began[0] + seconds:
            client.submit()

    threads = [threading.Thread(target=run, args=(client,)) for client in residents]
    for thread in threads:
        thread.start()
    began[0] = time.monotonic() + warm_up
    ready.wait()
    for thread in threads:
        thread.join()
    return residents, began[0], began[0] + seconds


WRK_SCRIPT = r"""
-- Each request: the contact form's final Send from one of the sessions in turn, from an address of its own.
local sessions = {}
local thread_number = 0
sent, confirmed, other = 0, 0, 0  -- globals: done() reads them from each thread
local started = {}

setup = function(thread)
  thread_number = thread_number + 1
  thread:set("number", thread_number)
  table.insert(started, thread)
end

init = function(args)
  for line in io.lines(args[1]) do
    local cookie, token = line:match("^(.-)\t(.*)$")
    table.insert(sessions, {cookie = cookie, token = token})
  end
end

local function escape(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  sent = sent + 1
  local session = sessions[(sent % #sessions) + 1]
  local body = "csrf_token=" .. escape(session.token) .. "&step=check&go=send&service=report-a-missed-bin"
    .. "&details=" .. escape("Storm damage: a tree is down in my street (" .. number .. "-" .. sent .. "). The road is blocked.")
    .. "&name=Jo+Bloggs&contact_preference=email&email=resident" .. number .. "%40example.com&postcode=BK1+1AA"
  local address = "10." .. number .. "." .. (math.floor(sent / 250) % 250) .. "." .. (sent % 250 + 1)
  return wrk.format("POST", "/contact", {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = session.cookie, ["X-Forwarded-For"] = address}, body)
end

response = function(status, headers, body)
  local location = headers["Location"] or ""
  if status == 303 and location:sub(-#"/contact/confirmation") == "/contact/confirmation" then
    confirmed = confirmed + 1
  else
    other = other + 1
  end
end

done = function(summary, latency, requests)
  local confirmed_all, other_all = 0, 0
  for _, thread in ipairs(started) do
    confirmed_all = confirmed_all + thread:get("confirmed")
    other_all = other_all + thread:get("other")
  end
  io.write(string.format("RESULT confirmed=%d other=%d errors=%d duration_us=%d p50=%d p95=%d p99=%d max=%d\n",
    confirmed_all, other_all, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def wrk_storm(port: int, clients: int, seconds: float, warm_up: float, work: Path) -> dict:
    """`clients` wrk connections sending forms: a warm-up run, then the measured one.

    Returns the measured run's figures and every confirmation of both runs (all must be stored)."""
    sessions = [Client(port, number) for number in range(clients)]
    (work / "sessions.tsv").write_text("".join(f"{client.cookie}\t{client.token}\n" for client in sessions))
    for client in sessions:
        client.connection.close()
    (work / "send.lua").write_text(WRK_SCRIPT)

    def run(duration: float) -> dict:
        command = ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "10s",
                   "-s", str(work / "send.lua"), f"http://127.0.0.1:{port}", "--", str(work / "sessions.tsv")]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        found = re.search(r"RESULT (.*)", finished.stdout)
        if finished.returncode or not found:
            raise RuntimeError(f"wrk failed: {finished.stdout}{finished.stderr}")
        return {key: int(value) for key, value in (pair.split("=") for pair in found.group(1).split())}

    warm = run(warm_up) if warm_up else {"confirmed": 0}
    measured = run(seconds)
    measured["every_confirmation"] = warm["confirmed"] + measured["confirmed"]
    return measured


def count_rows(url: str) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from townhall.cases.db import Database
    from townhall.cases.models import Case, OutboxMessage

    database = Database(url)
    with database.read_session() as session:
        found = (session.scalar(select(func.count()).select_from(Case)),
                 session.scalar(select(func.count()).select_from(OutboxMessage)),
                 session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_not(None))))
    database.dispose()
    return found


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def run_backend(name: str, url: str | None, index: str, clients: int, seconds: float, warm_up: float,
                workers: int, threads: int, load: str) -> dict:
    instance = Path(tempfile.mkdtemp(prefix=f"bench-submissions-{name}-"))
    server = Server(instance, index, url, workers, threads)
    database_url = url or f"sqlite:///{instance / 'townhall.db'}"
    load_before = load_average()
    server.start()
    try:
        if load == "wrk":
            figures = wrk_storm(server.port, clients, seconds, warm_up, instance)
        else:
            residents, began, ended = storm(server.port, clients, seconds, warm_up)
        load_after = load_average()
        drained_at = time.monotonic()
        cases, emails, sent = count_rows(database_url)
        while sent < emails and time.monotonic() - drained_at < 300:
            time.sleep(1)
            cases, emails, sent = count_rows(database_url)
        drain = time.monotonic() - drained_at
    finally:
        server.stop()
    eml = len(list((instance / "outbox").glob("*.eml")))
    shutil.rmtree(instance, ignore_errors=True)
    common = {"name": name, "cases": cases, "emails": emails, "sent": sent, "eml": eml, "drain": drain,
              "load": (load_before, load_after)}
    if load == "wrk":
        errors = {key: figures[key] for key in ("other", "errors") if figures[key]}
        elapsed = figures["duration_us"] / 1e6
        return {**common, "answered": figures["confirmed"], "elapsed": elapsed, "rate": figures["confirmed"] / elapsed,
                **{key: figures[key] / 1e6 for key in ("p50", "p95", "p99", "max")}, "errors": errors,
                "expected": figures["every_confirmation"]}
    measured = [took for client in residents for at, took in client.answers if began <= at <= ended]
    errors = {}
    for client in residents:
        for at, what in client.failures:
            if began <= at <= ended:
                errors[what] = errors.get(what, 0) + 1
    return {
        **common, "answered": len(measured), "elapsed": ended - began, "rate": len(measured) / (ended - began),
        "p50": percentile(measured, 0.5), "p95": percentile(measured, 0.95), "p99": percentile(measured, 0.99),
        "max": max(measured), "errors": errors,
        "expected": sum(len(client.answers) for client in residents),  # the warm-up's too: all must be stored
    }


def build_index() -> str:
    """The search index, built once here so gunicorn's workers start in seconds."""
    from townhall import create_app

    folder = tempfile.mkdtemp(prefix="bench-submissions-index-")
    create_app({"TESTING": True, "TOWNHALL_INSTANCE": tempfile.mkdtemp(prefix="bench-submissions-build-"),
                "TOWNHALL_SEARCH_INDEX": folder})
    return folder


def render(results: list[dict], clients: int, seconds: float, workers: int, threads: int, load: str) -> str:
    import sqlalchemy

    lines = [
        "## Submissions",
        "",
        f"{clients} clients send the contact form's final \"Send\" for {seconds:.0f} s (after a warm-up) as fast as "
        "the server answers"
        + (f" ({clients} wrk connections rotating through {clients} sessions, each request from an address of its own)"
           if load == "wrk" else f" ({clients} Python threads, each with its own session)")
        + ", against the app served by gunicorn with the site's gunicorn.conf.py "
        f"({workers} workers{f' x {threads} threads (gthread)' if threads > 1 else ' (sync)'}) on this machine. "
        "A submission counts when the server answers 303 to the confirmation page: its case, timeline and "
        "acknowledgement email are committed (SQLite: WAL, synchronous=FULL; PostgreSQL 15: fsync on). CSRF is "
        "checked, the per-client limit is counted, and each worker's outbox thread writes the emails as .eml files "
        "during the storm. Rows are counted afterwards.",
        "",
        "| Machine | |",
        "|---|---|",
        f"| CPU | {cpu_model(platform.processor() or 'unknown')} ({os.cpu_count()} cores) |",
        f"| Python, SQLAlchemy | {platform.python_version()}, {sqlalchemy.__version__} |",
        f"| Date | {datetime.now(UTC):%Y-%m-%d %H:%M} UTC |",
        "",
        "| Database | Submissions | Per second | p50 | p95 | p99 | Max | Failed | Cases stored / answered + warm-up | "
        "Emails queued / sent (drained in) | Load average before; after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results:
        failed = ", ".join(f"{key}: {count}" for key, count in row["errors"].items()) or "0"
        lines.append(
            f"| {row['name']} | {row['answered']:,} | {row['rate']:.0f} | {row['p50'] * 1000:.0f} ms | "
            f"{row['p95'] * 1000:.0f} ms | {row['p99'] * 1000:.0f} ms | {row['max'] * 1000:.0f} ms | {failed} | "
            f"{row['cases']:,} / {row['expected']:,} | {row['emails']:,} / {row['sent']:,} ({row['drain']:.0f} s) | "
            f"{row['load'][0]}; {row['load'][1]} |")
    lines += ["", f"- Target: at least {TARGET_RATE} submissions a second for a minute, p99 under "
              f"{TARGET_P99 * 1000:.0f} ms, nothing lost."]
    for row in results:
        met = row["rate"] >= TARGET_RATE and row["p99"] < TARGET_P99 and row["cases"] >= row["expected"]
        lost = max(0, row["expected"] - row["cases"])
        lines.append(f"- {row['name']}: {'met' if met else 'NOT met'}; {lost} answered submission(s) missing; "
                     f"{row['eml']:,} .eml files written.")
    if load == "wrk":
        lines.append("- wrk stops with requests still on their way: those are stored but never counted as answered, "
                     "so a few more cases than answers is expected; fewer would be a loss.")
    lines.append("- Other sessions share this 2-core machine: the load averages beside the figures say how busy it "
                 "was.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warm-up", type=float, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="as gunicorn.conf.py sets")
    parser.add_argument("--load", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="what sends the forms (wrk when it is installed)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="print the results only")
    options = parser.parse_args()
    index = build_index()
    results = []
    if options.only != "postgresql":
        results.append(run_backend("SQLite", None, index, options.clients, options.seconds, options.warm_up,
                                   options.workers, options.threads, options.load))
        print(results[-1], flush=True)
    if options.only != "sqlite":
        if not (PG_BIN / "initdb").exists():
            print("PostgreSQL is not installed (apt-get install postgresql): skipping it.")
        else:
            with Postgres() as cluster:
                results.append(run_backend("PostgreSQL", cluster.url, index, options.clients, options.seconds,
                                           options.warm_up, options.workers, options.threads, options.load))
            print(results[-1], flush=True)
    section = render(results, options.clients, options.seconds, options.workers, options.threads, options.load)
    print(section)
    if not options.no_write:
        write_section(options.output, "Submissions", section)
        print(f"Wrote the Submissions section of {options.output}")
    shutil.rmtree(index, ignore_errors=True)


if __name__ == "__main__":
    main()
