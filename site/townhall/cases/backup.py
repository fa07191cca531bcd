"""Backups of the cases database, and the restore drill that proves they can be restored.

A backup nobody has restored is a hope, not a backup. `drill` does what a
council would do on the day it needs one: take a backup of the live database,
restore it into a fresh, empty database, and check that the restored copy holds
what the live one held (row counts of every table, the migration it is at).

* **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``) copies
  a consistent snapshot page by page while the site keeps serving; the copy is a
  database file itself. Restoring is copying it into place with the site stopped.
* **PostgreSQL**: ``pg_dump --format=custom`` (a consistent snapshot, taken while
  the site serves) and ``pg_restore`` into a database made for the drill, which
  is dropped afterwards. The role needs the right to create databases, or the
  drill is given an empty database to restore into.

The site keeps writing while the drill runs, so the source is counted just
before and just after the backup: every restored count must lie between the two
(rows are only ever added or blanked, never deleted, by the site itself).

Run it from cron or by hand: ``deploy/backup-drill`` (see DEPLOYMENT.md). No
Flask here: the command line and ``flask db backup`` both call in.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import column, create_engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore step failed; the message says which and why (never a password)."""


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from TOWNHALL_PG_BIN when set (a folder), else the PATH."""
    folder = os.environ.get("TOWNHALL_PG_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for `url` without its password, and the environment that carries it."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def backup(url: str | URL, destination: Path | str) -> Path:
    """Write a backup of the database at `url` to `destination` (a file): SQLite's backup API, or pg_dump.

    The file holds residents' names and addresses: it is made readable by its owner only (mode 0600), whatever
    the umask of the process that runs it.
    """
    url, destination = make_url(url), Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = os.umask(0o077)
    try:
        return _backup(url, destination)
    finally:
        os.umask(previous)


def _backup(url: URL, destination: Path) -> Path:
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).exists():
            raise BackupError(f"there is no SQLite database at {url.database}")
        partial = destination.with_name(destination.name + ".partial")
        source = sqlite3.connect(url.database, timeout=30)
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=1024)  # in steps: writers are never held up for long
        finally:
            target.close()
            source.close()
        partial.replace(destination)  # never a half-written backup under the real name
        return destination
    if url.get_backend_name() == "postgresql":
        conninfo, environment = _libpq(url)
        done = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(destination),
                               "--dbname", conninfo], env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
        return destination
    raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def counts(url: str | URL) -> dict[str, int]:
    """Rows in every table (the migration table too), by name."""
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
                    for name in names}
    finally:
        engine.dispose()


def revision(url: str | URL) -> str | None:
    """The migration the database is at (Alembic's version table), or None for an empty one."""
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as connection:
            if "alembic_version" not in inspect(connection).get_table_names():
                return None
            return connection.execute(select(column("version_num")).select_from(table("alembic_version"))
                                      ).scalar_one_or_none()
    finally:
        engine.dispose()


@dataclass
class DrillReport:
    backup: Path
    size: int  # bytes
    restored_into: str  # the fresh database's URL, password hidden
    before: dict[str, int]
    after: dict[str, int]
    restored: dict[str, int]
    revisions: tuple[str | None, str | None]
    problems: list[str] = field(default_factory=list)
    removed: str = ""  # what the drill removed afterwards (no --keep), in words

    @property
    def passed(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"Backup: {self.backup} ({self.size:,} bytes)",
               f"Restored into: {self.restored_into}",
               f"Migration: live {self.revisions[0]}, restored {self.revisions[1]}"]
        for name in sorted(self.restored):
            out.append(f"  {name}: live {self.before.get(name, 0)}..{self.after.get(name, 0)}, "
                       f"restored {self.restored[name]}")
        out += [f"PROBLEM: {problem}" for problem in self.problems]
        if self.removed:
            out.append(f"({self.removed})")
        out.append("The restore drill passed." if self.passed else "The restore drill FAILED.")
        return out


def restore_sqlite(backup_file: Path, folder: Path) -> str:
    """Copy a SQLite backup into a fresh file in `folder` and check it page by page; its URL."""
    target = folder / f"restored-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(backup_file, target)
    connection = sqlite3.connect(target)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    if verdict != "ok":
        raise BackupError(f"the restored SQLite file is damaged: {verdict}")
    return f"sqlite:///{target}"


def create_fresh_postgres(url: URL) -> URL:
    """A new, empty database on the same server as `url`, for the drill (the role must be allowed to create one)."""
    import psycopg

    name = f"{url.database}_drill_{uuid.uuid4().hex[:8]}"
    conninfo, _ = _libpq(url.set(database="postgres"))
    try:
        with psycopg.connect(conninfo, password=url.password, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BackupError(f"could not create a database to restore into ({error.__class__.__name__}); "
                          "give the role CREATEDB or pass --restore-url") from error
    return url.set(database=name)


def drop_postgres(url: URL) -> None:
    import psycopg

    conninfo, _ = _libpq(url.set(database="postgres"))
    with psycopg.connect(conninfo, password=url.password, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def restore_postgres(backup_file: Path, target: URL) -> None:
    conninfo, environment = _libpq(target)
    done = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           "--dbname", conninfo, str(backup_file)], env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")


def drill(url: str | URL, folder: Path | str | None = None, *, restore_url: str | URL | None = None,
          keep: bool = False) -> DrillReport:
    """Back up `url` into `folder`, restore it into a fresh database, compare; the report says what was found.

    `folder` keeps the backup (default: a temporary folder, removed afterwards
    unless `keep`). `restore_url`: an empty PostgreSQL database to restore into
    instead of making one (it is left as restored).
    """
    url = make_url(url)
    temporary = folder is None
    folder = Path(tempfile.mkdtemp(prefix="townhall-drill-")) if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    is_sqlite = url.get_backend_name() == "sqlite"
    backup_file = folder / (f"townhall-{uuid.uuid4().hex[:8]}" + (".sqlite3" if is_sqlite else ".dump"))
    made: URL | None = None
    try:
        before = counts(url)
        backup(url, backup_file)
        after = counts(url)
        if is_sqlite:
            target = make_url(restore_sqlite(backup_file, folder))
        else:
            target = make_url(restore_url) if restore_url else create_fresh_postgres(url)
            made = None if restore_url else target
            restore_postgres(backup_file, target)
        restored = counts(target)
        report = DrillReport(backup_file, backup_file.stat().st_size, target.render_as_string(hide_password=True), before, after, restored,
                             (revision(url), revision(target)))
        if not restored:
            report.problems.append("the restored database has no tables")
        for name in sorted(set(before) | set(after) | set(restored)):
            low, high = sorted((before.get(name, 0), after.get(name, 0)))
            if name not in restored:
                report.problems.append(f"table {name} is missing from the restored database")
            elif not low <= restored[name] <= high:
                report.problems.append(f"table {name}: {restored[name]} rows restored, the live database had "
                                       f"{low}..{high}")
        if report.revisions[0] != report.revisions[1]:
            report.problems.append("the restored database is at another migration")
        if not keep:
            report.removed = ("The backup and the restored copy were removed afterwards: --keep keeps them."
                              if temporary else "The restored database was dropped afterwards: --keep keeps it."
                              if made is not None else "")
        return report
    finally:
        if made is not None and not keep:
            drop_postgres(made)
        if temporary and not keep:
            shutil.rmtree(folder, ignore_errors=True)


def configured_url() -> str:
    """The database the site uses: TOWNHALL_DATABASE_URL, else SQLite in TOWNHALL_INSTANCE (config.py)."""
    from ..config import from_environment
    from .db import default_url

    settings = from_environment()
    return settings["TOWNHALL_DATABASE_URL"] or default_url(settings["TOWNHALL_INSTANCE"])


def main(argv: list[str] | None = None) -> int:
    """``python -m townhall.cases.backup drill|backup ...`` (deploy/backup-drill calls `drill`)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="backup-drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["drill", "backup"], help="drill: back up, restore, compare; backup: only "
                        "write a backup")
    parser.add_argument("--database-url", default="", help="default: the site's (TOWNHALL_DATABASE_URL or SQLite "
                        "in TOWNHALL_INSTANCE)")
    parser.add_argument("--folder", type=Path, help="where the backup is written (drill default: a temporary "
                        "folder, removed afterwards)")
    parser.add_argument("--restore-url", default="", help="PostgreSQL: an empty database to restore into instead "
                        "of creating one")
    parser.add_argument("--keep", action="store_true", help="keep the backup and the restored database")
    arguments = parser.parse_args(argv)
    url = arguments.database_url or configured_url()
    try:
        if arguments.what == "backup":
            folder = arguments.folder or Path(".")
            suffix = ".sqlite3" if make_url(url).get_backend_name() == "sqlite" else ".dump"
            written = backup(url, folder / f"townhall-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}")
            sys.stdout.write(f"Backup written: {written} ({written.stat().st_size:,} bytes)\n")
            return 0
        report = drill(url, arguments.folder, restore_url=arguments.restore_url or None, keep=arguments.keep)
    except BackupError as error:
        sys.stderr.write(f"Backup failed: {error}\n")
        return 2
    sys.stdout.write("\n".join(report.lines()) + "\n")
    return 0 if report.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
