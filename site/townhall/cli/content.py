"""`flask content ...`: check the content folder, list pages due for review, install the pre-commit check.

    flask content check [--format json] [--today YYYY-MM-DD]   every mistake, with file, line and what to do
    flask content review-due [--base-url URL]                   pages due for review, by owner
    flask content install-hook                                   check the content before every git commit
    flask content reload                                         load the content and update the search index now
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import engines
from ..content import ContentProblem, Site, timely_problems
from ..content.bins import BINS_FILE
from ..content.lint import lint_site
from ..content.reviews import due_for_review, reminders
from ..engines.content import read_content
from ..engines.guided_answers import read_guides
from ..guides import path_count
from ..hours import LONDON
from ..places.collections import rounds_layer
from ..places.errors import PlacesError
from .performance import content_problems as performance_problems

group = AppGroup("content", help="Check the Markdown content the content team edits.")


def _today(given: str | None) -> date:
    value = given or current_app.config.get("TOWNHALL_TODAY")
    if value:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    return datetime.now(LONDON).date()


def _closures_problems() -> list:
    """closures.yaml is read by the cases work; its mistakes are content mistakes too."""
    from ..cases.workingdays import ClosuresInvalid, load_closures

    path = Path(current_app.config["TOWNHALL_CONTENT"]) / "closures.yaml"
    try:
        load_closures(path, display_path="closures.yaml")
    except ClosuresInvalid as invalid:
        return list(invalid.problems)
    return []


@group.command("check")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a list of {file, line, code, severity, message} for other programs.")
@click.option("--today", default=None, help="Check review dates as if today were this date (YYYY-MM-DD).")
@click.option("--now", "moment", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Check alerts and statuses as at this time instead of now (UK time).")
def check(output: str, today: str | None, moment: str | None) -> None:
    """Check every content file and list what needs fixing. Exits with 1 if there are errors."""
    folder = current_app.config["TOWNHALL_CONTENT"]
    site = read_content(current_app)
    guides = read_guides(current_app)
    problems = [*site.problems, *_closures_problems(), *lint_site(site, _today(today)),
                *timely_problems(site, _moment(moment)), *_unknown_rounds(site), *guides.problems,
                *performance_problems(site, _today(today))]
    problems.sort(key=lambda problem: (problem.path, problem.line or 0, problem.severity != "error"))
    errors = [problem for problem in problems if problem.is_error]
    if output == "json":
        click.echo(json.dumps([problem.as_json() for problem in problems], indent=2, ensure_ascii=False))
        sys.exit(1 if errors else 0)
    warnings = len(problems) - len(errors)
    counts = (f"{len(site.services)} service pages, {len(site.pages)} general pages, "
              f"{len(site.translations)} translations, "
              f"{len(site.directory.organisations) if site.directory else 0} directory entries, "
              f"{len(guides)} guided answers with {sum(path_count(guide) for guide in guides)} paths checked")
    if not errors:
        click.echo(f"All good: no errors in {folder} ({counts}).")
    else:
        click.echo(f"Found {len(errors)} error(s) in {folder}: pages with errors are not published until they "
                   "are fixed (the live site keeps their last good version).")
    if warnings:
        click.echo(f"{warnings} warning(s): these pages are published, but could be clearer.")
    current = None
    for problem in problems:
        if problem.path != current:
            current = problem.path
            click.echo(f"\n{problem.path}")
        where = f"line {problem.line}" if problem.line else "the file"
        label = "ERROR" if problem.is_error else "warning"
        click.echo(f"  - {label}, {where}: {problem.text} [{problem.code}]")
    sys.exit(1 if errors else 0)


@group.command("review-due")
@click.option("--today", default=None, help="List what is due on this date instead of today (YYYY-MM-DD).")
@click.option("--base-url", default="", help="Start of the site's address, for links (like https://www.example.gov.uk).")
@click.option("--email", is_flag=True, help="Also email each owner their list, through the outbox, once a month "
                                            "(safe to run every day from cron).")
def review_due_command(today: str | None, base_url: str, email: bool) -> None:
    """List the pages due for review, by owner. Exits with 0 even when some are due."""
    site = read_content(current_app)
    day = _today(today)
    due = due_for_review(site, day)
    if not due:
        click.echo("No pages are due for review.")
        return
    if email:
        queued = _email_reminders(site, day, base_url)
        click.echo(f"{queued} reminder email(s) queued in the outbox (each owner once this month).")
    for owner_id, items in due.items():
        owner = site.owners.get(owner_id or "")
        heading = f"{owner.team} ({owner.email})" if owner else "Pages with no owner (add 'owner:' to each)"
        click.echo(f"\n{heading}: {len(items)} page(s) due")
        for item in items:
            late = f", {item.overdue_months} month(s) overdue" if item.overdue_months else ""
            click.echo(f"  - {item.title}: {base_url.rstrip('/')}{item.url} (last checked {item.reviewed.isoformat()}, "
                       f"due {item.due.isoformat()}{late}; file content/{item.path})")


def _email_reminders(site: Site, day: date, base_url: str) -> int:
    """Queue each owner's reminder; the month in the key makes a daily cron job send it once a month.

    The site's outbox sends it (or `flask outbox send`), with retries, like every other email.
    """
    from sqlalchemy import select

    from ..cases.models import OutboxMessage
    from ..cases.outbox import queue_email

    messages = reminders(site, day, base_url or (site.council.website if site.council else ""))
    moment = datetime.now(LONDON)

    def queue_all(session) -> int:
        made = 0
        for message in messages:
            key = f"review-due:{message.owner}:{day:%Y-%m}"
            if session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is None:
                queue_email(session, recipient=message.email, subject=message.subject, text=message.body,
                            kind="review-due", idempotency_key=key, now=moment)
                made += 1
        return made

    return engines.database(current_app).transaction(queue_all)


HOOK = """#!/bin/sh
# Installed by `make install-hook` (flask content install-hook): check the content before each commit.
# To commit anyway in an emergency: git commit --no-verify
cd "$(git rev-parse --show-toplevel)" || exit 1
if git diff --cached --name-only | grep -q '^content/'; then
  echo "Checking the content folder..."
  TOWNHALL_ENV=check "{python}" -m flask --app wsgi content check || {{
    echo
    echo "The commit was stopped: fix the errors listed above, save, and commit again."
    exit 1
  }}
fi
"""


@group.command("install-hook")
def install_hook() -> None:
    """Install a git pre-commit hook that runs `flask content check` when content files are committed."""
    root = Path(current_app.config["TOWNHALL_CONTENT"]).resolve().parent
    try:
        hooks = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=root, check=True,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        click.echo(f"{root} is not a git checkout, so there is nowhere to install the check.")
        sys.exit(1)
    folder = (root / hooks).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    hook = folder / "pre-commit"
    if hook.exists() and "flask content install-hook" not in hook.read_text(encoding="utf-8", errors="replace"):
        click.echo(f"There is already a different pre-commit hook at {hook}; it was left as it is.")
        sys.exit(1)
    temporary = hook.with_name(".pre-commit.tmp")
    temporary.write_text(HOOK.format(python=sys.executable), encoding="utf-8")
    temporary.chmod(0o755)
    temporary.replace(hook)
    click.echo(f"Installed: content is checked before each commit ({hook}).")


@group.command("reload")
def reload_command() -> None:
    """Load the content as the live site does and bring the search index up to date (in place).

    Running sites notice content changes by themselves within a second or two; with
    TOWNHALL_CONTENT_POLL_MS=0 they do not, and need a restart (`kill -HUP` to gunicorn's main process).
    """
    from .. import engines
    from ..engines.content import engine
    from ..engines.search_index import refresh_index

    app = current_app._get_current_object()
    site = engine(app).reload()
    report = refresh_index(app)
    states: dict[str, int] = {}
    for status in site.files.values():
        states[status.state] = states.get(status.state, 0) + 1
    click.echo("Content loaded: " + ", ".join(f"{count} {state}" for state, count in sorted(states.items())))
    if report is None:
        click.echo(f"The search index is up to date ({engines.search().info.documents} documents).")
    else:
        click.echo(f"Search index updated: {report.changed} changed, {report.removed} removed"
                   f"{' (full build)' if report.full_build else ''} in {report.seconds:.2f} s.")


def _moment(value: str | None) -> datetime:
    if not value:
        return datetime.now(LONDON)
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("write it as YYYY-MM-DDTHH:MM, like 2026-12-01T08:00", param_hint="--now") from None
    return found.replace(tzinfo=LONDON) if found.tzinfo is None else found


def _unknown_rounds(site: Site) -> list[ContentProblem]:
    """Round codes in bin-collections.yaml that the bin rounds geodata does not have (a typing mistake
    would leave a round without its Christmas dates). Nothing to check without geodata."""
    named = set(site.bin_rules.rounds) | {code for change in site.bin_rules.changes for code in change.rounds}
    if not named:
        return []
    try:
        places = engines.places()
        layer = rounds_layer(places.layers)
        known = {area.code for area in places.areas(layer)} if layer else set()
    except PlacesError:
        return []
    return [ContentProblem(BINS_FILE, f'"{code}" is not a bin round in the geodata. Use one of: '
                           f'{", ".join(sorted(known)) or "(no bin rounds loaded)"}', "rounds")
            for code in sorted(named - known)]
