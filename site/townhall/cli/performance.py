"""`flask performance ...`: the figures "How we're doing" publishes.

    flask performance import FILE           the customer service team's monthly CSV (phone, voicemail,
                                            visits, first contact): every row checked, all or nothing
    flask performance refresh [--month YYYY-MM] [--months N]
                                            count months again from the case records (run it nightly)
    flask performance demo [--if-empty]     18 months of demo history (`make run` does this)
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import clock, engines
from ..cases.models import utcnow
from ..content import ContentProblem, Site
from ..content.problems import WARNING
from ..performance import (
    decode,
    has_figures,
    import_figures,
    misses,
    month_start,
    months_of,
    parse_figures,
    refresh_month,
    store_demo,
    stored,
    unexplained,
)
from ..performance.figures import months_between

group = AppGroup("performance", help="Import, count and make demo figures for \"How we're doing\".")


def _today() -> date:
    return clock.today(current_app.config.get("TOWNHALL_TODAY"), current_app.config.get("TOWNHALL_NOW"))


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import a monthly CSV (month,standard,contacts,within_promise). Nothing is stored if any row is wrong."""
    parsed = parse_figures(decode(file.read_bytes()), engines.site().standards, _today())
    if not parsed.ok:
        click.echo(f"Nothing was imported: {len(parsed.problems)} row(s) of {file.name} need fixing.", err=True)
        for problem in parsed.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    moment = utcnow()
    written = engines.database().transaction(
        lambda session: import_figures(session, parsed, staff_id=None, now=moment, detail=" from the command line"))
    click.echo(f"Imported {written} figure(s) for {', '.join(months_of(parsed))}.")


@group.command("refresh")
@click.option("--month", "month_text", default=None, metavar="YYYY-MM", help="Count this month only.")
@click.option("--months", type=click.IntRange(1, 60), default=2, show_default=True,
              help="Count this many months, ending with this one.")
def refresh_command(month_text: str | None, months: int) -> None:
    """Count figures again from the case records and page feedback (imported figures are kept)."""
    today = _today()
    if month_text:
        try:
            chosen = [datetime.strptime(month_text, "%Y-%m").date()]
        except ValueError:
            raise click.BadParameter("write the month as year-month, like 2026-10", param_hint="--month") from None
    else:
        first = month_start(today)
        for _ in range(months - 1):
            first = month_start(first - timedelta(days=1))
        chosen = months_between(first, today)
    moment = utcnow()
    for month in chosen:
        counts = engines.database().transaction(lambda session, m=month: refresh_month(session, m, today=today,
                                                                                        now=moment))
        total = sum(count.counted for count in counts.values())
        click.echo(f"{month:%Y-%m}: counted {total} promise(s) and answers.")


@group.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when there are figures already (real or demo).")
def demo_command(if_empty: bool) -> None:
    """Store the demo council's 18 months of history (deterministic; replaces those months' figures)."""
    database = engines.database()
    if if_empty:
        with database.read_session() as session:
            if has_figures(session):
                click.echo("There are figures already: the demo history was not added.")
                return
    written = database.transaction(lambda session: store_demo(session, engines.site().standards, _today(),
                                                              utcnow()))
    click.echo(f"Stored {written} demo figure(s) for the last 18 months.")


def content_problems(site: Site, today: date) -> list[ContentProblem]:
    """For `flask content check`: mistakes in content/performance, and months that missed a target with no
    explanation (only when the database can be read without creating or migrating it)."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..engines.cases import open_database

    known = [standard.id for standard in site.standards if standard.id]
    explanations = engines.explanations().current(known)
    problems = [ContentProblem(found.path, found.message, line=found.line, code="performance")
                for found in explanations.problems]
    problems += [ContentProblem("standards.yaml", f'"{standard.id}" has no target, so "How we\'re doing" cannot say '
                                'whether we met it. Add the share we aim for and what is counted, like "target: 90" '
                                'and "target_wording: letters answered within 10 working days"',
                                field=f"{standard.id}.target", severity=WARNING, code="missing-target")
                 for standard in site.standards if standard.id and not standard.target]
    try:
        database = open_database(current_app)
        try:
            if not database.is_current():
                return problems
            with database.read_session() as session:
                figures = stored(session, known)
        finally:
            database.dispose()
    except SQLAlchemyError:
        return problems
    for ident, month in unexplained(misses(site.standards, figures, today), explanations):
        problems.append(ContentProblem(
            f"performance/{month:%Y-%m}.md",
            f"{ident} missed its target in {month:%B %Y} and there is no explanation. Write why and what we are "
            f"doing about it in performance/{month:%Y-%m}.md, with \"standards: [{ident}]\" in its settings",
            severity=WARNING, code="unexplained-dip"))
    return problems
