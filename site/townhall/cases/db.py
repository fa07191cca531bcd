"""The database that holds what residents write: one engine, its sessions, and its migrations.

`Database(url)` is built once per process (the web layer's `init_app` keeps it).
SQLite is the embedded default and PostgreSQL the production choice; the
differences between them are all settled here so the rest of the package writes
plain SQLAlchemy.

SQLite settings, and why:

* ``journal_mode=WAL``: readers (the track page, the staff queue) never wait for
  a writer, and a writer appends to the log instead of rewriting pages.
* ``synchronous=FULL``: every commit waits for the write-ahead log to reach the
  disk. NORMAL would already survive a SIGKILL of the server (a committed
  transaction is in the log file, which the operating system keeps), but not a
  power cut or a kernel crash; the confirmation page promises the resident that
  we have their words, so we pay one fsync per commit to keep that promise.
* ``foreign_keys=ON``: SQLite leaves them off unless asked, per connection.
* ``busy_timeout``: a writer that finds the database locked waits (up to 30 s)
  instead of failing at once.
* Write transactions start with ``BEGIN IMMEDIATE``: they take the write lock
  first, so two writers never both read and then both try to upgrade to a write
  lock (which SQLite can only answer with "database is locked", whatever the
  timeout). Writers queue on the lock; `transaction()` still retries the rare
  "database is locked" that outlives the timeout. Read-only sessions use a plain
  deferred BEGIN so they run beside a writer.
"""

from __future__ import annotations

import fcntl
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
DEFAULT_RETRIES = 8

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")
log = logging.getLogger(__name__)


def default_url(instance_folder: Path | str) -> str:
    """The embedded default: ``instance/townhall.db``."""
    return f"sqlite:///{Path(instance_folder).resolve() / 'townhall.db'}"


class Database:
    """An engine, a session factory for writes and one for reads, and `upgrade()`.

    Nothing connects until the first session or `upgrade()`, so building one at
    start-up is cheap and safe before the database exists.
    """

    def __init__(self, url: str | URL, *, echo: bool = False, pool_size: int = 10):
        self.url = make_url(url)
        self.engine = _engine_for(self.url, echo=echo, pool_size=pool_size)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        reading = self.engine.execution_options(townhall_read_only=True) if self.is_sqlite else self.engine
        self.read_sessions: sessionmaker[Session] = sessionmaker(reading, expire_on_commit=False)
        self._writers = _SqliteWriters(self.url.database) if self.is_sqlite else None
        # Bookkeeping that may be lost to a power cut without harm (the outbox's claims and "sent" marks: at
        # worst an email goes again, with the same Message-ID) commits without waiting for the disk.
        self.relaxed_engine = (_engine_for(self.url, echo=echo, pool_size=2, synchronous="NORMAL")
                               if self.is_sqlite else self.engine)
        self.relaxed_sessions: sessionmaker[Session] = sessionmaker(self.relaxed_engine, expire_on_commit=False)

    @classmethod
    def for_instance(cls, instance_folder: Path | str, url: str | None = None) -> Database:
        """`url` when the deployer set one (TOWNHALL_DATABASE_URL), else SQLite in the instance folder."""
        if not url:
            Path(instance_folder).mkdir(parents=True, exist_ok=True)
        return cls(url or default_url(instance_folder))

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    # -- transactions ---------------------------------------------------------
    @contextmanager
    def session(self, *, durable: bool = True) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        `durable=False` is for bookkeeping that may be lost to a power cut (not to a crash of the process:
        SQLite's write-ahead log and PostgreSQL's commit survive that either way): its commit does not wait for
        the disk (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit off). Every later durable commit
        writes it to disk too.
        """
        factory = self.sessions if durable else self.relaxed_sessions
        with self._writer_turn(), factory() as session, session.begin():
            if not durable and self.is_postgresql:
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    def _writer_turn(self) -> AbstractContextManager[object]:
        return self._writers.turn() if self._writers is not None else nullcontext()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only look (track page, staff queue) that never waits for the write lock."""
        with self.read_sessions() as session, session.begin():
            yield session

    def transaction(self, work: Callable[[Session], T], *, retries: int = DEFAULT_RETRIES, durable: bool = True) -> T:
        """Run `work(session)` in a write transaction, again from the start if the database was busy.

        Only failures that mean "try again" are retried (SQLite's lock, PostgreSQL's
        serialisation failure or deadlock); `work` must therefore do nothing
        outside the database that it cannot repeat. Everything else is raised.
        """
        for attempt in range(retries + 1):
            try:
                with self.session(durable=durable) as session:
                    return work(session)
            except (OperationalError, DBAPIError) as error:
                if attempt == retries or not is_retryable(error):
                    raise
                log.info("database busy, trying again (attempt %d)", attempt + 1)
                time.sleep(min(0.05 * 2**attempt, 1.0) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- migrations -----------------------------------------------------------
    def alembic_config(self) -> Config:
        """Alembic's settings built in code: the migrations ship inside the package, no alembic.ini.

        Alembic is imported here, not at the top: it takes a second to import, and only start-up
        and the CLI migrate; web workers and the outbox sender do not need it.
        """
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False).replace("%", "%%"))
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Bring the tables up to `revision` (safe to call on every start: it does nothing when current)."""
        from alembic import command

        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        self._migrate(command.downgrade, revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def is_current(self) -> bool:
        """Whether the tables are at the newest migration (a health check for the web layer)."""
        return self.current_revision() == self.head_revision()

    def _migrate(self, action: Callable[..., Any], revision: str) -> None:
        config = self.alembic_config()
        with self.engine.connect() as connection:
            config.attributes["connection"] = connection
            action(config, revision)
            connection.commit()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.relaxed_engine is not self.engine:
            self.relaxed_engine.dispose()


class _SqliteWriters:
    """Writers to one SQLite file take turns: a thread lock, then an flock every process on the machine shares."""

    def __init__(self, database: str | None):
        self.lock = threading.Lock()
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        self.path = None if in_memory else Path(f"{database}-writers.lock")

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.lock:
            if self.path is None:
                yield
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)


def is_retryable(error: DBAPIError) -> bool:
    """Whether the database said "busy, try again" rather than "this is wrong"."""
    text = str(getattr(error, "orig", error)).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _engine_for(url: URL, *, echo: bool, pool_size: int, synchronous: str = "FULL") -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, pool_size=pool_size, max_overflow=2 * pool_size, pool_timeout=60,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _sqlite_pragmas(engine, synchronous)
        return engine
    if backend == "postgresql":
        return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True)
    return create_engine(url, echo=echo)


def _sqlite_pragmas(engine: Engine, synchronous: str = "FULL") -> None:
    """Per-connection settings, and our own BEGIN (see the module docstring)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not start transactions itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("townhall_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
