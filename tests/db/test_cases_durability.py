"""Nothing lost: 50 submissions at once from threads and from processes, and a SIGKILL straight after a commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from townhall.cases import service
from townhall.cases.db import Database
from townhall.cases.models import Case, CaseEvent, OutboxMessage
from townhall.cases.service import Casework
from townhall.cases.validation import Submission
from townhall.cases.workingdays import WorkingCalendar
from townhall.config import PROJECT_ROOT
from townhall.content.models import Standard, Timescale

CHILD = Path(__file__).with_name("cases_child.py")
STANDARDS = [Standard(promise="x", within=Timescale(amount, "working days"), id=ident) for ident, amount in (
    ("written-acknowledge", 3), ("written-answer", 10))]
CASEWORK = Casework.build(STANDARDS, WorkingCalendar())
SUBMISSION = Submission(kind="enquiry", details="Storm damage on my road", name="Jo Bloggs",
                        email="jo@example.com", contact_preference="email")


def counts(database: Database) -> tuple[int, int, int]:
    with database.read_session() as session:
        return (session.scalar(select(func.count()).select_from(Case)),
                session.scalar(select(func.count()).select_from(OutboxMessage)),
                session.scalar(select(func.count(func.distinct(Case.reference)))))


def test_fifty_parallel_submissions_from_threads(database):
    start = threading.Barrier(50)

    def one(_: int) -> str:
        start.wait()
        return database.transaction(
            lambda session: service.submit(session, CASEWORK, SUBMISSION, datetime.now(UTC)).reference)

    with ThreadPoolExecutor(max_workers=50) as pool:
        references = list(pool.map(one, range(50)))
    assert len(set(references)) == 50
    assert counts(database) == (50, 50, 50)
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 100  # received + acknowledged


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT / "site"), env.get("PYTHONPATH")]))
    return env


@pytest.mark.slow
def test_fifty_submissions_from_two_processes_on_sqlite(migrated_url_factory):
    """Processes share SQLite only through its file locks (threads share a pool too). PostgreSQL has no such
    difference between threads and processes, so the thread test covers it; two processes keep this quick."""
    url = migrated_url_factory("sqlite")
    children = [subprocess.Popen([sys.executable, str(CHILD), url, "25"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=child_env()) for _ in range(2)]
    references = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        references += out.split()
    assert len(references) == len(set(references)) == 50
    database = Database(url)
    try:
        assert counts(database) == (50, 50, 50)
    finally:
        database.dispose()


def test_a_confirmed_submission_survives_sigkill(database):
    """The child prints the reference only after the commit, as the confirmation page would; we kill it at once."""
    url = database.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, str(CHILD), url, "1", "--hang"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        reference = child.stdout.readline().strip()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert reference.startswith("BK-"), errors
    reopened = Database(url)  # "after restart": a new engine on the same file or server
    try:
        with reopened.read_session() as session:
            case = session.scalar(select(Case).where(Case.reference == reference))
            assert case is not None and case.details == "Sent from another process"
            email = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
            assert email is not None and email.kind == "acknowledgement" and email.sent_at is None
            assert reference in email.subject
    finally:
        reopened.dispose()
