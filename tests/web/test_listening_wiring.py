"""How Listening is wired: the secret key, the database migrated at start-up, the casework built from the
council's content (reference prefix, sender, closures), the outbox thread, and the commands
(`flask db|staff|data|outbox ...`)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from townhall import create_app, engines
from townhall.cases import Submission, close, create_staff, submit
from townhall.cases.models import Case, OutboxMessage, StaffUser
from townhall.config import PROJECT_ROOT
from townhall.secret_key import SecretKeyError, ensure_key

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


# -- the secret key ----------------------------------------------------------------------------------------

def test_without_a_configured_key_one_is_made_in_the_instance_folder_readable_by_its_owner_only(make_quick_app, tmp_path):
    app = make_quick_app(TOWNHALL_INSTANCE=str(tmp_path / "keyed"))
    key_file = Path(app.config["TOWNHALL_INSTANCE"]) / "secret_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.secret_key == key_file.read_text().strip() and len(app.secret_key) == 64
    again = make_quick_app(TOWNHALL_INSTANCE=str(tmp_path / "keyed"))
    assert again.secret_key == app.secret_key  # the next start (or worker) reads the same key


def test_a_configured_key_is_used_and_no_file_is_made(make_quick_app, tmp_path):
    app = make_quick_app(TOWNHALL_INSTANCE=str(tmp_path / "other"), TOWNHALL_SECRET_KEY="k" * 40)
    assert app.secret_key == "k" * 40
    assert not (tmp_path / "other" / "secret_key").exists()
    with pytest.raises(SecretKeyError):
        make_quick_app(TOWNHALL_SECRET_KEY="short")


def test_workers_starting_together_share_one_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: ensure_key(tmp_path)[0], range(16)))
    assert len(set(keys)) == 1 and not [path for path in tmp_path.iterdir() if path.name.startswith(".secret")]


def test_make_run_makes_the_key_with_python_m(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "site"), "TOWNHALL_INSTANCE": str(tmp_path)}
    environment.pop("TOWNHALL_SECRET_KEY", None)
    made = subprocess.run([sys.executable, "-m", "townhall.secret_key"], env=environment, capture_output=True,
                          text=True, timeout=60)
    assert made.returncode == 0 and "Made a new secret key" in made.stdout
    again = subprocess.run([sys.executable, "-m", "townhall.secret_key"], env=environment, capture_output=True,
                           text=True, timeout=60)
    assert "Using the secret key" in again.stdout


# -- the database and the casework ---------------------------------------------------------------------------

def test_a_production_start_creates_and_migrates_the_database(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"TOWNHALL_INSTANCE": str(instance), "TOWNHALL_OUTBOX_INTERVAL": 0})
    try:
        assert (instance / "townhall.db").exists()
        assert engines.database(app).is_current()
        mode = engines.database(app).engine.connect().exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
    finally:
        engines.database(app).dispose()


def test_the_database_url_setting_is_used(make_quick_app, tmp_path):
    target = tmp_path / "elsewhere" / "cases.db"
    app = make_quick_app(TOWNHALL_DATABASE_URL=f"sqlite:///{target}", TOWNHALL_OUTBOX_INTERVAL=0)
    assert engines.database(app).is_current() and target.exists()
    engines.database(app).dispose()


def test_the_reference_prefix_and_the_sender_come_from_the_councils_content(make_quick_app, content_copy):
    council = content_copy / "council.yaml"
    council.write_text(council.read_text().replace("reference_prefix: BK", "reference_prefix: QX")
                       .replace("https://www.brackenford.example", "https://council.example"))
    app = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_OUTBOX_INTERVAL=0)
    with app.test_request_context():
        casework = engines.casework()
        assert casework.reference_prefix == "QX" and casework.mail_domain == "council.example"
        submitted = engines.database().transaction(lambda session: submit(
            session, casework, Submission(kind="enquiry", details="x", email="jo@example.com"), NOW))
        assert submitted.reference.startswith("QX-")
        assert engines.outbox().sender == "Brackenford District Council <no-reply@council.example>"
    engines.database(app).dispose()
    other = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_MAIL_FROM="Help <help@council.example>",
                     TOWNHALL_OUTBOX_INTERVAL=0)
    with other.app_context():
        assert engines.outbox().sender == "Help <help@council.example>"
    engines.database(other).dispose()


def test_without_a_prefix_in_content_the_short_name_gives_one(make_quick_app, content_copy):
    council = content_copy / "council.yaml"
    council.write_text(council.read_text().replace("reference_prefix: BK\n", ""))
    app = make_quick_app(TOWNHALL_CONTENT=str(content_copy))
    with app.app_context():
        assert engines.casework().reference_prefix == "BR"


def test_a_wrong_prefix_is_a_content_problem(make_quick_app, content_copy):
    council = content_copy / "council.yaml"
    council.write_text(council.read_text().replace("reference_prefix: BK", "reference_prefix: b1"))
    app = make_quick_app(TOWNHALL_CONTENT=str(content_copy))
    assert any("reference_prefix" in str(problem) for problem in engines.site(app).problems)


def test_broken_closures_stop_development_and_fall_back_to_bank_holidays_in_production(make_quick_app, content_copy):
    (content_copy / "closures.yaml").write_text("- date: 2026-02-30\n  name: Oops\n  cy: Wps\n")
    from townhall.cases import ClosuresInvalid

    production = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="production")
    with production.app_context():
        assert engines.casework().calendar.closures == {}
    development = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="development")
    with development.app_context(), pytest.raises(ClosuresInvalid):
        engines.casework()


# -- the outbox thread ------------------------------------------------------------------------------------------

def test_the_outbox_thread_sends_soon_after_a_form_is_sent_and_a_request_never_waits(make_quick_app, csrf_token_of):
    app = make_quick_app(TOWNHALL_OUTBOX_INTERVAL=30)  # woken at once: the interval is only the fallback
    client = app.test_client()
    token = csrf_token_of(client)
    answer = client.post("/compliment", data={"csrf_token": token, "step": "check", "go": "send", "details": "Thanks",
                                              "contact_preference": "email", "email": "jo@example.com"})
    assert answer.status_code == 303
    folder = Path(app.config["TOWNHALL_OUTBOX_FOLDER"])
    deadline = time.monotonic() + 20
    while not list(folder.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(folder.glob("*.eml"))) == 1
    sender = engines.of(app).made("outbox")
    assert sender.running
    sender.stop()
    assert not sender.running
    engines.database(app).dispose()


def test_a_wrong_smtp_url_is_reported_when_the_sender_is_made(cli_app, monkeypatch):
    from townhall.engines.mail import make_sender

    monkeypatch.setitem(cli_app.config, "TOWNHALL_SMTP_URL", "http://mail.example")
    with cli_app.app_context(), pytest.raises(ValueError, match="TOWNHALL_SMTP_URL"):
        make_sender(cli_app)


# -- commands --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("cli")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_OUTBOX_INTERVAL": 0})
    yield app
    engines.database(app).dispose()


def run(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def test_staff_add_asks_for_the_password_twice(cli_app):
    added = run(cli_app, "staff", "add", "Ada@Council.example", "--role", "admin", "--name", "Ada",
                input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert "Added ada@council.example (admin)" in added.output
    mismatch = run(cli_app, "staff", "add", "bob@council.example", "--role", "admin",
                   input="correct horse battery\nsomething else entirely\n" * 3)
    assert mismatch.exit_code != 0
    with engines.database(cli_app).read_session() as session:
        assert session.scalar(select(StaffUser.role).where(StaffUser.email == "ada@council.example")) == "admin"


def test_staff_add_for_scripts_reads_stdin_or_an_environment_variable(cli_app, monkeypatch):
    assert run(cli_app, "staff", "add", "a@council.example", "--role", "content", "--password-stdin",
               input="correct horse battery\n").exit_code == 0
    monkeypatch.setenv("STAFF_PASSWORD", "correct horse battery")
    assert run(cli_app, "staff", "add", "b@council.example", "--role", "customer_service",
               "--password-env", "STAFF_PASSWORD").exit_code == 0
    short = run(cli_app, "staff", "add", "c@council.example", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "12 characters or more" in short.output
    twice = run(cli_app, "staff", "add", "A@council.example", "--role", "admin", "--password-stdin",
                input="correct horse battery\n")
    assert twice.exit_code == 1 and "already an account" in twice.output
    bad_role = run(cli_app, "staff", "add", "d@council.example", "--role", "king", "--password-stdin", input="x\n")
    assert bad_role.exit_code == 2
    listed = run(cli_app, "staff", "list").output
    assert "a@council.example" in listed and "b@council.example" in listed
    assert run(cli_app, "staff", "deactivate", "a@council.example").exit_code == 0
    assert "deactivated" in run(cli_app, "staff", "list").output
    assert run(cli_app, "staff", "reactivate", "a@council.example").exit_code == 0
    assert run(cli_app, "staff", "password", "a@council.example", "--password-stdin",
               input="another good password\n").exit_code == 0
    assert run(cli_app, "staff", "password", "nobody@council.example", "--password-stdin",
               input="another good password\n").exit_code == 1


def test_data_purge_and_export(cli_app):
    with cli_app.app_context():
        database, casework = engines.database(), engines.casework()
        old = datetime(2023, 1, 9, 10, 0, tzinfo=UTC)
        staff_id = database.transaction(lambda s: create_staff(s, email="x@council.example", name="X",
                                                               role="admin", password="correct horse battery",
                                                               now=old).id)
        case_id = database.transaction(lambda s: submit(s, casework, Submission(
            kind="enquiry", details="Old question", name="Jo", email="jo@example.com"), old).case.id)
        database.transaction(lambda s: close(s, casework, case_id, staff_id=staff_id, outcome="resolved", now=old))
        database.transaction(lambda s: submit(s, casework, Submission(
            kind="complaint", stage=1, details="New complaint", name="Jo", email="Jo@Example.com"), NOW))
    exported = run(cli_app, "data", "export", "jo@example.com")
    assert exported.exit_code == 0
    found = json.loads(exported.output)
    assert [case["details"] for case in found["cases"]][-2:] == ["Old question", "New complaint"]
    purged = run(cli_app, "data", "purge")
    assert purged.exit_code == 0 and "Removed the personal details of" in purged.output
    with engines.database(cli_app).read_session() as session:
        old_case = session.get(Case, case_id)
    assert old_case.email is None and old_case.details == "" and old_case.kind == "enquiry"
    assert "Removed the personal details of 0" in run(cli_app, "data", "purge").output


def test_export_to_a_file_readable_by_its_owner_only(cli_app, tmp_path):
    target = tmp_path / "out" / "jo.json"
    assert run(cli_app, "data", "export", "jo@example.com", "--output", str(target)).exit_code == 0
    assert json.loads(target.read_text())["email"] == "jo@example.com"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_outbox_send_and_status(cli_app):
    with cli_app.app_context():
        engines.database().transaction(lambda s: submit(s, engines.casework(), Submission(
            kind="enquiry", details="x", email="jo@example.com"), NOW))
    assert "waiting" in run(cli_app, "outbox", "status").output
    sent = run(cli_app, "outbox", "send", "--retry-now")
    assert sent.exit_code == 0 and "Sent " in sent.output
    assert len(list(Path(cli_app.config["TOWNHALL_OUTBOX_FOLDER"]).glob("*.eml"))) >= 1
    assert "0 waiting" in run(cli_app, "outbox", "status").output
    with engines.database(cli_app).read_session() as session:
        waiting = select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None))
        assert not list(session.scalars(waiting))


def test_db_upgrade_and_status(cli_app):
    upgraded = run(cli_app, "db", "upgrade")
    assert upgraded.exit_code == 0 and "newest migration (0004)" in upgraded.output
    status = run(cli_app, "db", "status")
    assert status.exit_code == 0 and "Database revision 0004; newest 0004." in status.output


def test_review_reminders_are_emailed_through_the_outbox_once_a_month(cli_app):
    """`flask content review-due --email` (daily from cron): each owner with pages due gets one email a month."""
    first = run(cli_app, "content", "review-due", "--today", "2031-01-15", "--email")
    assert first.exit_code == 0 and "reminder email(s) queued" in first.output
    again = run(cli_app, "content", "review-due", "--today", "2031-01-20", "--email")
    assert "0 reminder email(s) queued" in again.output  # the same month: nothing twice
    with engines.database(cli_app).read_session() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "review-due")))
    assert rows and len({row.recipient for row in rows}) == len(rows)
    assert all("due to be checked" in row.text_body and row.idempotency_key.endswith(":2031-01") for row in rows)
    next_month = run(cli_app, "content", "review-due", "--today", "2031-02-02", "--email")
    assert "0 reminder" not in next_month.output
