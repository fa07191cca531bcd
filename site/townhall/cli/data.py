"""`flask data ...`: personal data held about residents.

    flask data purge [--months N]   remove the personal details of cases closed more than N months ago
                                    (default TOWNHALL_RETENTION_MONTHS), keeping the anonymous figures
    flask data export EMAIL         everything held about the person with that email address, as JSON
                                    (a subject access request); --output FILE writes it to a file
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import engines
from ..cases import export, purge
from ..cases.insights import KEEP_DAYS, forget_old
from ..cases.models import utcnow

group = AppGroup("data", help="Remove old personal details; export what is held about a person.")


@group.command("purge")
@click.option("--months", type=click.IntRange(min=1), help="Keep personal details this many months after closing "
              "(default: TOWNHALL_RETENTION_MONTHS).")
def purge_command(months: int | None) -> None:
    """Blank the names, contact details and words of cases closed long ago; the figures stay."""
    months = months or int(current_app.config["TOWNHALL_RETENTION_MONTHS"])
    moment = utcnow()
    count = engines.database().transaction(lambda session: purge(session, moment, months))
    click.echo(f"Removed the personal details of {count} case(s) closed more than {months} months ago.")
    old = engines.database().transaction(lambda session: forget_old(session, moment.date()))
    click.echo(f"Deleted {old} search and postcode record(s) older than {KEEP_DAYS} days.")


@group.command("export")
@click.argument("email")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON to this file (readable by its owner only) instead of standard output.")
def export_command(email: str, output: Path | None) -> None:
    """Everything held about one person (their cases, timelines, emails and any staff account), as JSON."""
    moment = utcnow()
    found = engines.database().transaction(lambda session: export(session, email, now=moment))
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".export-")  # 0600
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, output)
    click.echo(f"Wrote {len(found['cases'])} case(s) and {len(found['emails'])} email(s) to {output}.", err=True)
