"""`flask db ...`: the database of cases, feedback, staff and the outbox.

    flask db upgrade   bring the tables to the newest migration (the site also does this at start-up)
    flask db status    the revision in use and the newest one
    flask db backup    write a backup now (SQLite's online backup API, or pg_dump); see deploy/backup-drill
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from .. import engines

group = AppGroup("db", help="Create and migrate the database of what residents send.")


@group.command("upgrade")
def upgrade() -> None:
    """Create the tables on a fresh machine, or bring them up to date (safe to run every time)."""
    database = engines.database()  # opening it migrates when needed
    click.echo(f"The database is at the newest migration ({database.current_revision()}): "
               f"{database.url.render_as_string(hide_password=True)}")


@group.command("status")
def status() -> None:
    """Say which migration the database is at; exits with 1 when it is behind."""
    from ..engines.cases import open_database

    database = open_database(engines.of().app)
    current, head = database.current_revision(), database.head_revision()
    click.echo(f"Database revision {current or 'none (empty)'}; newest {head}.")
    database.dispose()
    sys.exit(0 if current == head else 1)


@group.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def backup_command(folder: Path) -> None:
    """Write a backup of the database into FOLDER while the site serves (a timestamped file)."""
    from ..cases.backup import BackupError, backup

    url = engines.database().url
    suffix = ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"
    try:
        written = backup(url, folder / f"townhall-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}")
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written: {written} ({written.stat().st_size:,} bytes)")
