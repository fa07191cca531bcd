"""`flask search ...` commands: build the index, say what is in it, try a query."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

group = AppGroup("search", help="Build and check the search index.")


@group.command("build")
@click.option("--if-stale", is_flag=True,
              help="Only build when the index is missing or damaged, or the content has changed.")
def build(if_stale: bool) -> None:
    """Build the search index from the content (and any other sources) and swap it in atomically."""
    from ..engines.search_index import all_documents, search_fingerprint, synonyms_path
    from ..search import build_index, ensure_index
    from ..search.synonyms import load_synonyms

    app = current_app._get_current_object()
    folder = Path(app.config["TOWNHALL_SEARCH_INDEX"])
    for problem in load_synonyms(synonyms_path(app)).problems:
        click.echo(f"Warning: content/search/synonyms.txt: {problem}", err=True)
    fingerprint = search_fingerprint(app)
    if if_stale:
        info, built = ensure_index(folder, fingerprint, lambda: all_documents(app))
        if not built:
            click.echo(f"The search index is up to date ({info.documents} documents in {info.path}).")
            return
    else:
        info = build_index(folder, all_documents(app), fingerprint)
    click.echo(f"Built the search index: {info.documents} documents in {info.seconds:.2f} s ({info.path}).")


@group.command("status")
def status() -> None:
    """Say which index is in use, whether it is whole (every file checked) and whether it matches the content."""
    from ..engines.search_index import search_fingerprint
    from ..search import current_index
    from ..search.index import damage

    app = current_app._get_current_object()
    info = current_index(app.config["TOWNHALL_SEARCH_INDEX"])
    if info is None:
        click.echo("There is no search index yet. Run: flask search build")
        sys.exit(1)
    problem = damage(info.path)
    fresh = info.fingerprint == search_fingerprint(app)
    built = datetime.fromtimestamp(info.built_at).strftime("%Y-%m-%d %H:%M")
    if problem is not None:
        state = f"DAMAGED ({problem}): run flask search build"
    else:
        state = "up to date" if fresh else "OUT OF DATE: run flask search build"
    click.echo(f"{info.documents} documents, built {built} in {info.seconds:.2f} s, {state} ({info.path})")
    sys.exit(0 if fresh and problem is None else 1)


@group.command("query")
@click.option("--lang", type=click.Choice(["en", "cy"]), default="en", show_default=True,
              help="The language of the page searched from (cy: the Welsh site).")
@click.argument("words", nargs=-1)
def query(words: tuple[str, ...], lang: str) -> None:
    """Try a search from the command line, as a resident would type it."""
    from .. import engines

    results = engines.search().search(" ".join(words), lang=lang)
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    click.echo(f"{results.total} results")
    for hit in results.hits:
        owner = "council" if hit.council else f"{hit.organisation} {hit.phone}".strip()
        click.echo(f"  {hit.score:7.2f}  {hit.title}  [{owner}]  {hit.url}{'' if hit.lang == lang else f'  ({hit.lang})'}")
