"""Townhall: an accessibility-first public information website for a UK local council."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask
from flask_babel import Babel
from htmx_flask import Htmx

from . import config
from .content import ContentInvalid, load_site

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then any test settings."""
    app = Flask(__name__)
    app.config.update(config.settings_for(test_config))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(config.PROJECT_ROOT / "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = "en"

    from .web import i18n

    Babel(app, locale_selector=i18n.current_language)
    Htmx(app)
    i18n.install_language_prefixes(app)

    from .web import register_web

    register_web(app)
    load_content(app)

    from .web.search import start_search

    start_search(app)

    from .cli import register_commands

    register_commands(app)
    return app


def site_addresses(app: Flask) -> tuple[set[str], set[str]]:
    """The app's fixed addresses (/search) and the fixed starts of its other addresses (/directory/)."""
    fixed, prefixes = set(), set()
    for rule in app.url_map.iter_rules():
        if "<" in rule.rule:
            prefixes.add(rule.rule.split("<", 1)[0])
        else:
            fixed.add(rule.rule.rstrip("/") or "/")
    return fixed, prefixes


def load_content(app: Flask) -> None:
    """Load the content folder; in development, refuse to start when any of it is wrong.

    In production the site keeps serving: files with problems are left out and
    each problem is logged, so one broken page never takes the site down.
    """
    languages = tuple(app.config["TOWNHALL_LANGUAGES"])
    site = load_site(app.config["TOWNHALL_CONTENT"], languages, *site_addresses(app))
    if site.problems:
        if app.config["TOWNHALL_ENV"] == "development":
            raise ContentInvalid(site.problems)
        log.warning(
            "%d problem(s) in the content folder; pages with problems are left out until they are fixed. "
            "Run `flask content check` to see them.", len(site.problems)
        )
    app.extensions["townhall.site"] = site
