"""`flask content check`: find every mistake in the content folder, in plain words."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..engines.content import read_content

group = AppGroup("content", help="Check the Markdown content the content team edits.")


@group.command("check")
def check() -> None:
    """Check every content file and list what needs fixing. Exits with 1 if anything does."""
    folder = current_app.config["TOWNHALL_CONTENT"]
    site = read_content(current_app)
    counts = (
        f"{len(site.services)} service pages, {len(site.pages)} general pages, "
        f"{len(site.categories)} categories, {len(site.contacts)} contacts, {len(site.translations)} translations"
    )
    if not site.problems:
        click.echo(f"All good. Checked {folder}: {counts}.")
        return
    click.echo(f"Found {len(site.problems)} problem(s) in {folder}.\n")
    for problem in site.problems:
        effect = "this file is not shown on the site until it is fixed" if problem.hides_file else "page still shown"
        click.echo(f"  - {problem} ({effect})")
    click.echo(f"\nLoaded without problems: {counts}.")
    sys.exit(1)
