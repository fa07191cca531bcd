"""`flask content check`: find every mistake in the content folder, in plain words."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from .. import engines
from ..content import ContentProblem, Site, timely_problems
from ..content.bins import BINS_FILE
from ..engines.content import read_content
from ..hours import LONDON
from ..places.collections import rounds_layer
from ..places.errors import PlacesError

group = AppGroup("content", help="Check the Markdown content the content team edits.")


@group.command("check")
@click.option("--now", "moment", default=None, metavar="YYYY-MM-DDTHH:MM",
              help="Check alerts and statuses as at this time instead of now (UK time).")
def check(moment: str | None) -> None:
    """Check every content file and list what needs fixing. Exits with 1 if anything does."""
    folder = current_app.config["TOWNHALL_CONTENT"]
    site = read_content(current_app)
    now = _moment(moment)
    problems = [*site.problems, *timely_problems(site, now), *_unknown_rounds(site)]
    counts = (
        f"{len(site.services)} service pages, {len(site.pages)} general pages, "
        f"{len(site.categories)} categories, {len(site.contacts)} contacts, {len(site.translations)} translations, "
        f"{len(site.journeys)} step-by-step guides, {len(site.alerts)} alerts"
    )
    if not problems:
        click.echo(f"All good. Checked {folder}: {counts}.")
        return
    click.echo(f"Found {len(problems)} problem(s) in {folder}.\n")
    for problem in problems:
        effect = "this file is not shown on the site until it is fixed" if problem.hides_file else "page still shown"
        click.echo(f"  - {problem} ({effect})")
    click.echo(f"\nLoaded without problems: {counts}.")
    sys.exit(1)


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
