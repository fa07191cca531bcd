"""Sending the outbox without ever making a resident wait.

A form's email is queued in the same transaction as its case; the request then
only wakes this process's sender thread and returns. The thread (one per
process, started the first time the database is used) sends whatever is due,
then sleeps until woken or until TOWNHALL_OUTBOX_INTERVAL seconds pass, so
emails left by a stopped or killed process also go. Several workers' threads
can run at once: the outbox's claims and leases give each message to one
sender. `flask outbox send` does one round from the command line (or cron,
with the interval set to 0).

Where messages go: TOWNHALL_SMTP_URL, else ``.eml`` files in TOWNHALL_OUTBOX_FOLDER.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import formataddr

from flask import Flask

from ..cases import Database, DeliveryReport, deliver_pending, transport_from_settings
from ..cases.mail import Transport
from ..cases.models import utcnow
from ..cases.outbox import BATCH, LEASE

log = logging.getLogger(__name__)


class OutboxSender:
    """One process's background sender: `wake()` after queueing; `send_now()` for a round in this thread."""

    def __init__(self, database: Database, transport: Callable[[], Transport], sender: str, interval: float,
                 lease: timedelta = LEASE):
        self.database = database
        self.transport = transport
        self.sender = sender
        self.interval = interval
        self.lease = lease
        self._woken = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; never when the interval is 0)."""
        if self.interval <= 0 or self.running:
            return
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="townhall-outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a round now (something was just queued). Returns at once."""
        self.start()
        self._woken.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._woken.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def send_now(self, now: datetime | None = None) -> DeliveryReport:
        """One delivery round in the caller's thread (the CLI, tests)."""
        return deliver_pending(self.database, self.transport(), now or utcnow(), sender=self.sender, lease=self.lease)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._woken.clear()
            backlog = False
            try:
                backlog = self.send_now().sent >= BATCH  # a whole batch went: more may wait (after a storm)
            except Exception:  # noqa: BLE001 - a database or mail hiccup must not end the thread; next round retries
                log.exception("outbox: delivery round failed")
            if not backlog:
                self._woken.wait(self.interval)


def sender_address(app: Flask) -> str:
    """TOWNHALL_MAIL_FROM, else "<council name> <no-reply@<council website host>>"."""
    from . import site
    from .cases import mail_domain

    configured = app.config.get("TOWNHALL_MAIL_FROM")
    if configured:
        return configured
    return formataddr((site(app).council.name, f"no-reply@{mail_domain(app)}"))


def make_sender(app: Flask) -> OutboxSender:
    from . import of
    from .cases import make_database

    smtp_url = app.config.get("TOWNHALL_SMTP_URL") or None
    folder = app.config["TOWNHALL_OUTBOX_FOLDER"]
    transport_from_settings(smtp_url, folder)  # a wrong TOWNHALL_SMTP_URL is reported now, not at the first email
    return OutboxSender(of(app).once("database", make_database), lambda: transport_from_settings(smtp_url, folder), sender_address(app),
                        float(app.config["TOWNHALL_OUTBOX_INTERVAL"]),
                        timedelta(seconds=float(app.config["TOWNHALL_OUTBOX_LEASE"])))
