"""Loading the content folder for an app, checked against the addresses the app really has."""

from __future__ import annotations

import logging
import time

from flask import Flask

from .. import clock
from ..content import ContentInvalid, Site, load_site

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from . import of

    engines = of(app)
    engines.site = load_content(app)
    engines.site_loaded_at = time.time()


def site_addresses(app: Flask) -> tuple[set[str], set[str]]:
    """The app's fixed addresses (/search) and the fixed starts of its other addresses (/directory/).

    Links in page bodies are checked against these, so a link to any real page passes.
    """
    fixed, prefixes = set(), set()
    for rule in app.url_map.iter_rules():
        if "<" in rule.rule:
            prefixes.add(rule.rule.split("<", 1)[0])
        else:
            fixed.add(rule.rule.rstrip("/") or "/")
    return fixed, prefixes


def read_content(app: Flask) -> Site:
    """The content folder as it is now, with every problem found (nothing is refused here)."""
    return load_site(app.config["TOWNHALL_CONTENT"], tuple(app.config["TOWNHALL_LANGUAGES"]), *site_addresses(app),
                     today=clock.today(app.config.get("TOWNHALL_TODAY")))


def load_content(app: Flask) -> Site:
    """The content to serve; in development, refuse to start when any of it is wrong.

    In production the site keeps serving: files with problems are left out and
    each problem is logged, so one broken page never takes the site down.
    """
    site = read_content(app)
    if site.problems:
        if app.config["TOWNHALL_ENV"] == "development":
            raise ContentInvalid(site.problems)
        log.warning(
            "%d problem(s) in the content folder; pages with problems are left out until they are fixed. "
            "Run `flask content check` to see them.", len(site.problems)
        )
    return site
