"""`flask outbox ...`: the emails waiting to go.

    flask outbox send [--retry-now]   send what is due now (from cron when TOWNHALL_OUTBOX_INTERVAL is 0);
                                      --retry-now also sends those waiting to retry (the mail server is back)
    flask outbox status               how many are waiting, late, or given up on
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .. import engines
from ..cases import outbox_status
from ..cases import retry_now as make_waiting_due
from ..cases.models import utcnow

group = AppGroup("outbox", help="Send the emails waiting in the outbox, or say how many there are.")


@group.command("send")
@click.option("--retry-now", is_flag=True, help="Also send emails waiting to retry after a failure.")
def send(retry_now: bool) -> None:
    """Send every email that is due, once (safe beside the workers' own senders)."""
    sender, moment = engines.outbox(), utcnow()
    if retry_now:
        waiting = engines.database().transaction(lambda session: make_waiting_due(session, moment))
        click.echo(f"{waiting} email(s) waiting to retry are due now.")
    report = sender.send_now(moment)
    click.echo(f"Sent {report.sent}; {report.failed} failed and will be retried; {report.gave_up} given up.")
    sys.exit(1 if report.failed or report.gave_up else 0)


@group.command("status")
def status() -> None:
    """How many emails are waiting, how many for more than 15 minutes, and how many were given up on."""
    with engines.database().read_session() as session:
        found = outbox_status(session, utcnow())
    click.echo(f"{found.waiting} waiting ({found.late} for more than 15 minutes), {found.given_up} given up.")
