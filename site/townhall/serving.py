"""What gunicorn needs from Townhall beyond the app: an access log without personal data, and a time
limit on request bodies. ``gunicorn.conf.py`` (what ``make run`` uses) wires both in.

Access log
----------
gunicorn's default access log line holds the client's address, the whole request
line (query string included), the referring page and the user agent. On a
council site that is personal data: ``/search?q=...`` holds what a resident
typed, ``/your-area?postcode=...`` where they live, ``/api/postcodes/BK1 1AA``
the same in its path, ``/track/...`` a case reference, ``/listen?page=/search%3Fq...``
a search again, and the referrer repeats the page they came from. So the log
line here has:

* the path, with the part that identifies a person replaced by ``…`` on the
  routes that carry one in the path (``PRIVATE_PATHS``);
* never a query string: ``?…`` says there was one, not what it held;
* no referrer and no user agent;
* the client's address only when the council turns it on
  (``TOWNHALL_LOG_ADDRESSES=1``, for example while investigating abuse), else ``-``;
  gunicorn's own warnings ("Invalid request from ip=...") lose the address too.

Request bodies
--------------
A client that sends half a body and stops holds the thread reading it. gthread
workers have several threads, so one such client no longer takes a whole
worker, and the web layer gives the whole body TOWNHALL_BODY_TIMEOUT seconds
to arrive (web/bodies.py: the socket's timeout is set to the time left before
each read); then it answers 408 and gunicorn closes the connection. In
production the nginx front buffers whole bodies before the app sees them
(``proxy_request_buffering on``, its default), so slow senders never reach gunicorn.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import threading
import time
import traceback
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

# Routes whose path itself identifies a person (a postcode, a case reference), with or without a language
# prefix: the matched part is kept, the rest replaced.
PRIVATE_PATHS = re.compile(r"^((?:/[a-z]{2})?/(?:api/postcodes|postcodes|track)/).+$")
HIDDEN = "…"
_ADDRESS_IN_MESSAGE = re.compile(r"\bip=\S+")


def loggable_path(path: str, query: str = "") -> str:
    """The path to write in the access log: no query string, nothing identifying in the path."""
    shown = PRIVATE_PATHS.sub(lambda match: match.group(1) + HIDDEN, path or "/")
    return shown + (f"?{HIDDEN}" if query else "")


def private_atoms(atoms: Mapping[str, Any], log_addresses: bool) -> dict[str, Any]:
    """gunicorn's access log atoms with everything personal taken out (see the module's docstring)."""
    path = loggable_path(str(atoms.get("U", "")), str(atoms.get("q", "")))
    request_line = f"{atoms.get('m', '-')} {path} {atoms.get('H', '-')}"
    # Request headers and environ values appear as {name}i and {name}e atoms (the query string, the
    # address, cookies...): keep none of them, only the response's own headers ({name}o).
    cleaned = {name: value for name, value in atoms.items() if not name.endswith(("}i", "}e"))}
    cleaned.update({"r": request_line, "U": path, "q": "", "f": "-", "a": "-"})
    if not log_addresses:
        cleaned["h"] = "-"
    return cleaned


class PrivateLogger(Logger):
    """gunicorn's logger, writing access lines and warnings without personal data.

    Whether addresses are logged is the TOWNHALL_LOG_ADDRESSES setting (config.py), read once.
    """

    def __init__(self, cfg) -> None:
        from .config import from_environment

        self.log_addresses = bool(from_environment()["TOWNHALL_LOG_ADDRESSES"])
        super().__init__(cfg)

    def atoms(self, resp, req, environ, request_time):  # type: ignore[override]
        return private_atoms(super().atoms(resp, req, environ, request_time), self._addresses())

    def access(self, resp, req, environ, request_time) -> None:  # type: ignore[override]
        """Hand the request's line to this process's log writer instead of writing it on the request's thread.

        Written by each of gunicorn's sixteen threads itself, every line waited for the log handler's lock and
        its write: measured on a cached page, the access log cost a quarter of the site's rate (4,240 answers a
        second against 5,710 without it, in the same run). The line is the same; only the writing moves to one
        thread (`AccessLines`).
        """
        if not self.access_log_enabled:
            return
        atoms = self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
        self._lines().put(self.cfg.access_log_format, atoms)

    def _lines(self) -> AccessLines:
        lines = getattr(self, "_access_lines", None)
        if lines is None or lines.pid != os.getpid():  # made again in each worker: threads do not survive fork
            with self.lock:
                lines = getattr(self, "_access_lines", None)
                if lines is None or lines.pid != os.getpid():
                    lines = self._access_lines = AccessLines(self)
        return lines

    def warning(self, msg, *args, **kwargs):  # type: ignore[override]
        if not self._addresses() and isinstance(msg, str):
            msg = _ADDRESS_IN_MESSAGE.sub("ip=-", msg)
        super().warning(msg, *args, **kwargs)

    def _addresses(self) -> bool:
        return self.log_addresses


class AccessLines:
    """One process's access log lines, written in order by one thread.

    A request's thread only puts its line's parts on a queue (no lock held while writing, no formatting).
    When the writer falls behind by `BACKLOG` lines, requests write their own again (a few lines may then
    be out of order; each has its time), so a flood can never fill the memory with log lines. Lines still
    queued when the process ends are written by `atexit`.
    """

    BACKLOG = 10_000
    BATCH = 500

    def __init__(self, logger: Logger) -> None:
        self.logger = logger
        self.pid = os.getpid()
        self.waiting: queue.SimpleQueue[tuple[str | None, Any]] = queue.SimpleQueue()
        threading.Thread(target=self._write_forever, name="access-log", daemon=True).start()
        atexit.register(self.flush)

    def put(self, line_format: str, atoms: Any) -> None:
        if self.waiting.qsize() >= self.BACKLOG:
            self._write(line_format, atoms)
        else:
            self.waiting.put((line_format, atoms))

    def flush(self, seconds: float = 5.0) -> bool:
        """Wait until every line put so far is written (at exit, and in tests). Returns whether they were."""
        written = threading.Event()
        self.waiting.put((None, written))
        return written.wait(seconds)

    def _write_forever(self) -> None:
        while True:
            batch = [self.waiting.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            self._write_batch(batch)

    def _write_batch(self, batch: list[tuple[str | None, Any]]) -> None:
        """Write the lines waiting in one go where the log is a plain stream or file (one write for many).

        One write a line was not enough: each write lets go of the interpreter's lock, and taking it back among
        sixteen busy threads took milliseconds, so under load the writer fell behind and the queue grew.
        """
        lines: list[str] = []
        for line_format, atoms in batch:
            if line_format is None:
                self._write_lines(lines)
                lines = []
                atoms.set()  # a flush is waiting for the lines before this one
                continue
            try:
                lines.append(line_format % atoms)
            except Exception:  # noqa: BLE001 - as gunicorn's own access(): a line that cannot be made is reported
                self.logger.error(traceback.format_exc())
        self._write_lines(lines)

    def _write_lines(self, lines: list[str]) -> None:
        if not lines:
            return
        log = self.logger.access_log
        try:
            if log.handlers and not log.propagate and all(_plain_handler(handler) for handler in log.handlers):
                log.info("%s", "\n".join(lines))
            else:  # syslog and other handlers: one record a line, as gunicorn writes them
                for line in lines:
                    log.info("%s", line)
        except Exception:  # noqa: BLE001 - the same
            self.logger.error(traceback.format_exc())

    def _write(self, line_format: str, atoms: Any) -> None:
        try:
            self.logger.access_log.info(line_format, atoms)
        except Exception:  # noqa: BLE001 - as gunicorn's own access(): a line that cannot be written is reported
            self.logger.error(traceback.format_exc())


def _plain_handler(handler: Any) -> bool:
    """A stream or file that writes each record's message as it is (gunicorn's own access log handlers)."""
    import logging

    if type(handler) not in (logging.StreamHandler, logging.FileHandler):
        return False
    return handler.formatter is None or getattr(handler.formatter, "_fmt", None) == "%(message)s"


ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms'


def warm_up(app: Any, log: Any = None) -> None:
    """Draw a few pages in a new worker before it takes its first visitor.

    A new worker's first pages compile their templates and load the translations, which takes a second or
    two with the interpreter's lock held; every visitor the worker had already accepted waited behind it
    (measured: with one worker cold, 15 of 32 connections waited over 2 s). Called by gunicorn.conf.py's
    `post_worker_init`; whatever goes wrong here is logged and the worker starts anyway. The requests carry
    `WARM_UP` in their environ, so they are not counted as visitors' (metrics, searches nobody followed).
    """
    from flask import Flask

    from .web.common import WARM_UP

    if not isinstance(app, Flask):
        return
    started = time.monotonic()
    hosts = app.config.get("TRUSTED_HOSTS") or ["localhost"]
    try:
        client = app.test_client()
        for path in warm_up_paths(app):
            answer = client.get(path, base_url=f"http://{hosts[0].lstrip('.')}", environ_base={WARM_UP: True})
            if answer.status_code != 200 and log is not None:
                log.warning("Warming up: %s answered %s", path.split("?")[0], answer.status_code)
    except Exception:  # noqa: BLE001 - a cold worker is slower, not broken
        if log is not None:
            log.exception("Warming up the worker failed; it starts cold")
        return
    if log is not None:
        log.info("Worker warmed up in %.1f s", time.monotonic() - started)


def warm_up_paths(app: Any) -> list[str]:
    """The home page, a service page, the search and postcode pages, in every language."""
    from . import engines

    with app.app_context():
        services = list(engines.site(app).services)[:1]
    paths = ["/", *(f"/services/{slug}" for slug in services), "/search?q=council", "/your-area"]
    prefixes = ["", *(f"/{code}" for code in app.config["TOWNHALL_LANGUAGES"][1:])]
    return [prefix + path for prefix in prefixes for path in paths]


def send_app_logs_to_gunicorn(log: Logger) -> None:
    """Townhall's own log lines go where gunicorn's error log goes, in its format (once per process).

    Without this they reach Python's last-resort handler: bare messages on stderr, warnings only.
    """
    import logging

    app_log = logging.getLogger("townhall")
    if getattr(app_log, "_townhall_routed", False):
        return
    for handler in log.error_log.handlers:
        app_log.addHandler(handler)
    app_log.setLevel(logging.INFO)
    app_log.propagate = False
    app_log._townhall_routed = True  # type: ignore[attr-defined]
