"""deploy/backup-drill on SQLite and on a throwaway PostgreSQL: back up, restore into a fresh database, compare."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url

from townhall.cases import Casework, submit
from townhall.cases.backup import DrillReport, backup, counts, drill
from townhall.cases.db import Database
from townhall.cases.validation import Submission
from townhall.cases.workingdays import calendar_from_content
from townhall.config import PROJECT_ROOT
from townhall.content.models import Standard, Timescale

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
STANDARDS = [Standard(promise="x", within=Timescale(amount, "working days"), id=ident) for ident, amount in (
    ("voicemail", 1), ("written-acknowledge", 3), ("written-answer", 10), ("complaint-stage-1", 5),
    ("complaint-stage-2-acknowledge", 3), ("complaint-stage-2-answer", 20))]
CASES = 7


def with_cases(url: str) -> str:
    """`url`'s database with a few cases in it (each also queues an email and writes audit entries)."""
    casework = Casework.build(STANDARDS, calendar_from_content(PROJECT_ROOT / "content"))
    database = Database(url)
    for number in range(CASES):
        submission = Submission(kind="enquiry", details=f"Question number {number}", name="Jo Bloggs",
                                email="jo@example.com", contact_preference="email")
        database.transaction(lambda session, s=submission: submit(session, casework, s,
                                                                  datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)))
    database.dispose()
    return url


def run_drill(url: str, *arguments: str) -> subprocess.CompletedProcess:
    """The script as an operator runs it, with the test's Python and the site's settings in the environment."""
    environment = {**os.environ, "PYTHON": sys.executable, "TOWNHALL_DATABASE_URL": url}
    return subprocess.run([str(ROOT / "deploy" / "backup-drill"), *arguments], env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_drill_restores_every_case(kind: str, migrated_url_factory, tmp_path: Path) -> None:
    url = with_cases(migrated_url_factory(kind))
    done = run_drill(url, "--folder", str(tmp_path / "backups"), "--keep")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The restore drill passed." in done.stdout
    assert f"cases: live {CASES}..{CASES}, restored {CASES}" in done.stdout
    assert "password" not in done.stdout.lower()
    kept = list((tmp_path / "backups").iterdir())
    assert any(path.suffix in {".sqlite3", ".dump"} for path in kept)


def test_a_backup_that_lost_rows_fails_the_drill(migrated_url_factory, tmp_path: Path, monkeypatch) -> None:
    """The drill must be able to fail: a backup step that loses a case is caught."""
    import townhall.cases.backup as module

    url = with_cases(migrated_url_factory("sqlite"))

    def lossy(source, destination):
        written = backup(source, destination)
        with sqlite3.connect(written) as connection:
            connection.execute("PRAGMA foreign_keys=OFF")
            connection.execute("DELETE FROM cases WHERE id = (SELECT max(id) FROM cases)")
        connection.close()
        return written

    monkeypatch.setattr(module, "backup", lossy)
    report: DrillReport = drill(url, tmp_path / "backups")
    assert not report.passed
    assert any("cases" in problem for problem in report.problems)


def test_the_postgresql_drill_leaves_no_database_behind(migrated_url_factory, postgres_server, tmp_path) -> None:
    url = with_cases(migrated_url_factory("postgresql"))
    server_url = postgres_server.url()
    before = set(counts_databases(server_url))
    report = drill(url, tmp_path)
    assert report.passed, report.lines()
    assert set(counts_databases(server_url)) == before
    assert counts(url)["cases"] == CASES


def counts_databases(url: str) -> list[str]:
    import psycopg

    parts = make_url(url)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname="postgres") as connection:
        return [row[0] for row in connection.execute("SELECT datname FROM pg_database")]


def test_flask_db_backup_writes_a_usable_copy_of_the_site_database(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    url = with_cases(migrated(instance))
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "site"), "TOWNHALL_INSTANCE": str(instance)}
    environment.pop("TOWNHALL_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "backup", str(tmp_path / "out")],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [written] = (tmp_path / "out").iterdir()
    assert counts(f"sqlite:///{written}")["cases"] == counts(url)["cases"] == CASES


def migrated(instance: Path) -> str:
    """The site's default database in `instance` (SQLite), at the newest migration."""
    instance.mkdir(parents=True)
    url = f"sqlite:///{instance / 'townhall.db'}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_backup_is_readable_by_its_owner_only(kind: str, migrated_url_factory, tmp_path: Path) -> None:
    """It holds residents' names and addresses: 0600 even when the process's umask would allow more."""
    url = with_cases(migrated_url_factory(kind))
    previous = os.umask(0o022)
    try:
        made = backup(url, tmp_path / "backups" / f"site.{kind}")
    finally:
        os.umask(previous)
    assert made.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o077 == 0
