"""The whole site on SQLite and on a real PostgreSQL server: forms, tracking, staff and feedback through the app;
50 parallel submissions and a SIGKILL straight after a confirmation through a real gunicorn; the mail server
down then up, through the app, with every email arriving exactly once."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import func, select

from townhall import create_app, engines
from townhall.cases import create_staff
from townhall.cases.db import Database
from townhall.cases.models import Case, OutboxMessage, PageFeedback, utcnow
from townhall.config import PROJECT_ROOT

pytestmark = pytest.mark.slow
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')  # the form's own field: the first on a form page
REFERENCE = re.compile(r'id="reference">(BK-[0-9A-Z]{4}-[0-9A-Z]{4})<')
ENQUIRY = {"step": "check", "go": "send", "details": "A tree is down across my road", "name": "Jo Bloggs",
           "contact_preference": "email", "email": "jo@example.com", "postcode": "BK1 1AA"}


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> str:
    """The demo content's search index, built once: every app and server here reuses it."""
    folder = str(tmp_path_factory.mktemp("index"))
    create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("i")),
                "TOWNHALL_SEARCH_INDEX": folder})
    return folder


# -- through the app, on both databases ---------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, migrated_url_factory, built_index, tmp_path):
    url = migrated_url_factory(request.param)
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path / "instance"), "TOWNHALL_DATABASE_URL": url,
                      "TOWNHALL_SEARCH_INDEX": built_index, "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_SUBMISSION_RATE_LIMIT": 0})
    yield app
    engines.database(app).dispose()


def test_a_resident_and_a_member_of_staff_on_each_database(site, csrf_token_of, public_token_of):
    resident = site.test_client()
    token = csrf_token_of(resident)
    sent = resident.post("/complain", data={"csrf_token": token, **ENQUIRY})
    assert sent.status_code == 303
    reference = REFERENCE.search(resident.get(sent.headers["Location"]).get_data(as_text=True)).group(1)
    with site.app_context():
        engines.database().transaction(lambda session: create_staff(
            session, email="casey@council.example", name="Casey", role="customer_service",
            password="correct horse battery", now=utcnow()))
        with engines.database().read_session() as session:
            case = session.scalar(select(Case).where(Case.reference == reference))
    staff = site.test_client()
    staff_token = csrf_token_of(staff, "/staff/login")
    assert staff.post("/staff/login", data={"csrf_token": staff_token, "email": "casey@council.example",
                                            "password": "correct horse battery"}).status_code == 303
    staff_token = csrf_token_of(staff, "/privacy")
    assert reference in staff.get("/staff/queue").get_data(as_text=True)
    answered = staff.post(f"/staff/cases/{case.id}/answer", data={"csrf_token": staff_token,
                                                                  "answer": "The tree was cleared today."})
    assert answered.status_code == 303
    tracked = resident.post("/track", data={"csrf_token": token, "reference": reference,
                                            "email_or_postcode": "JO@example.com"}).get_data(as_text=True)
    assert "The tree was cleared today." in tracked
    public = public_token_of(resident, "/a-to-z")  # the box on every page has the day's token, not the session's
    feedback = resident.post("/feedback", data={"csrf_token": public, "path": "/a-to-z", "useful": "no"})
    assert feedback.status_code == 303
    with engines.database(site).read_session() as session:
        assert session.scalar(select(func.count()).select_from(PageFeedback)) == 1
        kinds = sorted(session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["acknowledgement", "answer"]


def test_the_mail_server_down_then_up_through_the_app_every_email_arrives_once(site, smtp_server, csrf_token_of):
    site.config["TOWNHALL_SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    resident = site.test_client()
    token = csrf_token_of(resident)
    references = []
    for number in range(3):
        sent = resident.post("/contact", data={"csrf_token": token, **ENQUIRY, "details": f"Storm {number}"})
        assert sent.status_code == 303  # the resident is answered although the mail server is down
        page = resident.get(sent.headers["Location"]).get_data(as_text=True)
        references.append(REFERENCE.search(page).group(1))
    with site.app_context():
        down = engines.outbox().send_now()
    assert (down.sent, down.failed) == (0, 3)
    smtp_server.start()
    sent = site.test_cli_runner().invoke(args=["outbox", "send", "--retry-now"])
    assert sent.exit_code == 0 and "Sent 3" in sent.output
    again = site.test_cli_runner().invoke(args=["outbox", "send", "--retry-now"])
    assert "Sent 0" in again.output
    subjects = sorted(str(message["Subject"]) for message in smtp_server.messages)
    assert len(subjects) == 3 and all(any(reference in subject for subject in subjects) for reference in references)
    assert len(set(smtp_server.message_ids())) == 3
    assert all(message.is_multipart() for message in smtp_server.messages)  # plain text and HTML


# -- through a real server -----------------------------------------------------------------------------------

class Server:
    """gunicorn serving wsgi:app on a free port, in its own process group (so SIGKILL reaches every worker)."""

    def __init__(self, folder: Path, index: str, database_url: str | None, workers: int = 2):
        from townhall_test_services import free_port

        self.port = free_port()
        self.folder = folder
        self.environment = {
            **os.environ, "PYTHONPATH": str(PROJECT_ROOT / "site"), "TOWNHALL_INSTANCE": str(folder),
            "TOWNHALL_SEARCH_INDEX": index, "TOWNHALL_SECRET_KEY": "a test key that is long enough",
            "TOWNHALL_SUBMISSION_RATE_LIMIT": "0", "TOWNHALL_OUTBOX_INTERVAL": "1",
            "TOWNHALL_OUTBOX_LEASE": "5",  # an email the killed server had taken goes within the test's minute
        }
        if database_url:
            self.environment["TOWNHALL_DATABASE_URL"] = database_url
        self.workers = workers
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class",
             "gthread", "--threads", "4", "--timeout", "120", "wsgi:app"],
            cwd=PROJECT_ROOT, env=self.environment, stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError((self.folder / "server.log").read_text(errors="replace")[-3000:]) from None
                time.sleep(0.3)
        raise AssertionError("gunicorn did not answer within 3 minutes")

    def kill(self) -> None:
        """SIGKILL to the master and every worker: nothing gets to finish or flush anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        if not self.log.closed:
            self.log.close()


class Browser:
    """A resident's browser over HTTP: its own cookies, the page's CSRF token, redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = TOKEN.search(self.get("/contact")).group(1)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as answer:
            return answer.read().decode()

    def post(self, path: str, fields: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({"csrf_token": self.token, **fields}).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as answer:
            return answer.status, answer.geturl(), answer.read().decode()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, built_index, database_url_factory, tmp_path):
    """A real gunicorn on a fresh database (PostgreSQL: empty, so the workers race to migrate it)."""
    url = database_url_factory("postgresql") if request.param == "postgresql" else None
    running = Server(tmp_path / "instance", built_index, url)
    running.folder.mkdir()
    yield running.start()
    running.stop()


def database_of(server: Server) -> Database:
    return Database(server.environment.get("TOWNHALL_DATABASE_URL") or f"sqlite:///{server.folder / 'townhall.db'}")


def test_fifty_parallel_submissions_through_http_get_fifty_references(server):
    browsers = [Browser(server.url) for _ in range(50)]
    start = Barrier(50)

    def submit(browser: Browser) -> str:
        start.wait()
        status, address, page = browser.post("/contact", {**ENQUIRY, "details": f"Storm damage {id(browser)}"})
        assert status == 200 and address.endswith("/contact/confirmation")
        return REFERENCE.search(page).group(1)

    with ThreadPoolExecutor(max_workers=50) as pool:
        references = list(pool.map(submit, browsers))
    assert len(set(references)) == 50
    database = database_of(server)
    with database.read_session() as session:
        stored = set(session.scalars(select(Case.reference)))
        emails = session.scalar(select(func.count()).select_from(OutboxMessage))
    database.dispose()
    assert stored == set(references) and emails == 50


def test_a_confirmed_submission_survives_sigkill_with_its_reference_and_email(server):
    resident = Browser(server.url)
    status, address, page = resident.post("/contact", ENQUIRY)
    assert status == 200 and address.endswith("/contact/confirmation")
    reference = REFERENCE.search(page).group(1)  # the resident has read their reference...
    server.kill()  # ...and the server dies at once
    database = database_of(server)
    with database.read_session() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        email = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    assert case.details == ENQUIRY["details"] and case.email == "jo@example.com"
    assert email.kind == "acknowledgement" and reference in email.subject
    database.dispose()
    restarted = Server(server.folder, server.environment["TOWNHALL_SEARCH_INDEX"],
                       server.environment.get("TOWNHALL_DATABASE_URL"))
    restarted.port = server.port
    restarted.start()
    try:
        tracked = Browser(restarted.url).post("/track", {"reference": reference, "email_or_postcode": "BK1 1AA"})[2]
        assert reference in tracked and "We received it" in tracked
        outbox = server.folder / "outbox"
        deadline = time.monotonic() + 60  # the restarted workers' outbox threads send what was queued
        while time.monotonic() < deadline and not any(reference in path.read_text(errors="replace")
                                                      for path in outbox.glob("*.eml")):
            time.sleep(0.2)
        assert sum(reference in path.read_text(errors="replace") for path in outbox.glob("*.eml")) == 1
    finally:
        restarted.stop()
