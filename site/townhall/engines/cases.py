"""The database residents' messages are stored in, migrated when it is behind, and the rules cases follow.

`make_database` opens TOWNHALL_DATABASE_URL (default: SQLite at
``<instance>/townhall.db``, in WAL mode) and brings its tables up to the newest
migration. Several gunicorn workers may start together, so the upgrade runs
under a lock: a file lock in the instance folder (every worker on the machine),
plus, on PostgreSQL, an advisory lock (every machine). The others wait, find
the tables current, and go on.

`make_casework` builds the rules once: the content's standards, the working-day
calendar (England and Wales bank holidays plus ``content/closures.yaml``), the
composer the web layer registered for emails, the mail domain and the
council's reference prefix.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import text

from ..cases import Casework, ClosuresInvalid, Database, WorkingCalendar, calendar_from_content, plain_composer
from ..cases.mail import Composer

log = logging.getLogger(__name__)

COMPOSER = "townhall.compose"  # app.extensions key: the email composer the web layer registers
MIGRATION_LOCK = ".migrate.lock"
ADVISORY_LOCK_ID = 74_683_201  # any fixed number: "Townhall migrations" for pg_advisory_lock


def open_database(app: Flask) -> Database:
    """The app's database as it is (nothing migrated): TOWNHALL_DATABASE_URL, else SQLite in the instance folder."""
    instance = Path(app.config["TOWNHALL_INSTANCE"])
    return Database.for_instance(instance, app.config.get("TOWNHALL_DATABASE_URL") or None)


def make_database(app: Flask) -> Database:
    """The app's database, at the newest migration (nothing to do when it already is)."""
    database = open_database(app)
    migrate_if_needed(database, Path(app.config["TOWNHALL_INSTANCE"]))
    return database


def migrate_if_needed(database: Database, instance: Path) -> bool:
    """Upgrade to the newest migration unless the tables are there already; True when it upgraded."""
    if database.is_current():
        return False
    with _migration_lock(database, instance):
        if database.is_current():  # another worker did it while we waited
            return False
        before = database.current_revision()
        database.upgrade()
        log.info("database migrated from %s to %s", before or "empty", database.head_revision())
    database.engine.dispose()  # no connection made here is handed on to a forked worker
    return True


@contextmanager
def _migration_lock(database: Database, instance: Path) -> Iterator[None]:
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / MIGRATION_LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if database.is_postgresql:
                with database.engine.connect() as connection:
                    connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": ADVISORY_LOCK_ID})
                    try:
                        yield
                    finally:
                        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": ADVISORY_LOCK_ID})
            else:
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_calendar(app: Flask) -> WorkingCalendar:
    """Bank holidays and the council's closures. A mistake in closures.yaml stops a development server;
    in production it is logged and the bank holidays alone are used until it is fixed."""
    try:
        return calendar_from_content(app.config["TOWNHALL_CONTENT"])
    except ClosuresInvalid as error:
        if app.config["TOWNHALL_ENV"] == "development":
            raise
        log.warning("%s\nDates skip bank holidays only until closures.yaml is fixed.", error)
        return WorkingCalendar()


def mail_domain(app: Flask) -> str:
    """The host of the council's website (for Message-IDs and the default sender)."""
    from . import site

    website = site(app).council.website or ""
    return urlsplit(website).hostname or "townhall.invalid"


def make_casework(app: Flask) -> Casework:
    from . import site

    content = site(app)
    compose: Composer = app.extensions.get(COMPOSER, plain_composer)
    return Casework.build(content.standards, make_calendar(app), compose=compose, mail_domain=mail_domain(app),
                          reference_prefix=content.council.prefix)
