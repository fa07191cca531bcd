"""Real services for tests, started from Debian's packages in throwaway folders and stopped afterwards.

Loaded as a pytest plugin by ``tests/conftest.py``. Fixtures:

* ``postgres_server``: PostgreSQL 15 for the whole session (``initdb`` + ``pg_ctl`` in a temporary
  folder on a free port; as root both run as the ``postgres`` user, which owns the folder).
  Without the package it skips with the reason, except under CI (``CI=true``), where it fails:
  CI must never pass by skipping the database tests.
* ``database`` (parametrised: sqlite, postgresql): a migrated `Database`, fresh for each test (a copy of
  one migrated once per session: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL).
* ``sqlite_database``: the same on SQLite only, for unit tests.
* ``database_url_factory``: new empty database URLs, for tests that migrate themselves;
  ``migrated_url_factory``: new databases already at the newest migration.
* ``redis_server``: Redis for the whole session (``redis-server`` on a free loopback port, nothing saved,
  its folder temporary); skips with the reason when the package is missing (fails under CI).
* ``smtp_server``: a real SMTP server (aiosmtpd) on a free port that a test can stop and start again;
  it collects every message it accepts.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("TOWNHALL_PG_BIN", "/usr/lib/postgresql/15/bin"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: database tests must run, not skip)")
    pytest.skip(reason)


# -- PostgreSQL ----------------------------------------------------------------------------------

@dataclass
class PostgresServer:
    port: int
    socket_dir: Path
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not (PG_BIN / "initdb").exists():
        _missing(f"PostgreSQL is not installed ({PG_BIN}/initdb is missing): apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="townhall-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _missing("there is no postgres user to run PostgreSQL as")
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = free_port()
    logfile = folder / "server.log"
    try:
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(logfile), "-o", options,
                                     "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=90)
    except subprocess.CalledProcessError as error:
        log = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {error.stderr.decode(errors='replace')}\n{log}")
    try:
        yield PostgresServer(port=port, socket_dir=sockets)
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """`make("sqlite")` or `make("postgresql")`: the URL of a new, empty database."""
    created: list[tuple[PostgresServer, str]] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'cases-{uuid.uuid4().hex[:8]}.db'}"
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create_database()
        created.append((server, name))
        return server.url(name)

    yield make
    for server, name in created:
        server.drop_database(name)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (much quicker than migrating each time)."""
    from townhall.cases.db import Database

    path = tmp_path_factory.mktemp("migrated") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database migrated to head, used as the template for each test's fresh database."""
    from townhall.cases.db import Database

    name = postgres_server.create_database()
    db = Database(postgres_server.url(name))
    db.upgrade()
    db.dispose()
    return name


@pytest.fixture
def migrated_url_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """`make("sqlite")` or `make("postgresql")`: the URL of a new database already at the newest migration."""
    created: list[tuple[PostgresServer, str]] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            target = tmp_path / f"cases-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), target)
            return f"sqlite:///{target}"
        server: PostgresServer = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("migrated_postgres_template")
        name = server.create_database(template=template)
        created.append((server, name))
        return server.url(name)

    yield make
    for server, name in created:
        server.drop_database(name)


@pytest.fixture(scope="session")
def shared_postgres_url(postgres_server: PostgresServer, migrated_postgres_template: str) -> str:
    """One migrated PostgreSQL database that `database` empties before each test (quicker than a new one)."""
    return postgres_server.url(postgres_server.create_database(template=migrated_postgres_template))


def _emptied(url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    from townhall.cases.models import Base

    parts = make_url(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname=parts.database,
                         autocommit=True) as connection:
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, migrated_url_factory: Callable[[str], str]):
    """A migrated, empty database of each kind for this test."""
    from townhall.cases.db import Database

    if request.param == "postgresql":
        url = _emptied(request.getfixturevalue("shared_postgres_url"))
    else:
        url = migrated_url_factory("sqlite")
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(migrated_url_factory: Callable[[str], str]):
    from townhall.cases.db import Database

    db = Database(migrated_url_factory("sqlite"))
    yield db
    db.dispose()


# -- Redis ---------------------------------------------------------------------------------------

REDIS_SERVER = os.environ.get("TOWNHALL_REDIS_SERVER", "redis-server")


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        client.flushall()
        client.close()


def start_redis(folder: Path) -> RedisServer:
    """redis-server on a free loopback port, keeping nothing on disk; the caller stops `process`."""
    import redis

    if shutil.which(REDIS_SERVER) is None:
        _missing(f"Redis is not installed ({REDIS_SERVER} is missing): apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail("Redis did not start: " + (folder / "redis.log").read_text(errors="replace")[-1000:])
                time.sleep(0.05)
    finally:
        client.close()
    return RedisServer(port=port, process=process)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis for the session; tests that need it empty call `flush()`."""
    folder = Path(tempfile.mkdtemp(prefix="townhall-redis-"))
    server = start_redis(folder)
    try:
        yield server
    finally:
        stop_process(server.process)
        shutil.rmtree(folder, ignore_errors=True)


# -- SMTP ----------------------------------------------------------------------------------------

@dataclass
class SmtpServer:
    """aiosmtpd on a fixed free port; `stop()` and `start()` again to play "the mail server is down"."""

    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)
    _controller: object | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        server = self

        class Collect:
            async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's name)
                with server._lock:
                    server.messages.append(message_from_bytes(envelope.original_content or envelope.content))
                return "250 OK"

        self._controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.messages]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server; the test may stop and restart it on the same port."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
