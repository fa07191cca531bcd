"""Townhall: an accessibility-first public information website for a UK local council."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import Babel
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then any test settings."""
    app = Flask(__name__)
    app.config.update(config.settings_for(test_config))
    from .secret_key import secret_key

    app.secret_key, made = secret_key(app.config)
    if made:
        log.info("Made a new secret key in the instance folder (set TOWNHALL_SECRET_KEY to choose one)")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(config.PROJECT_ROOT / "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = "en"

    from .web import i18n

    Babel(app, locale_selector=i18n.current_language)
    Htmx(app)
    i18n.install_language_prefixes(app)

    from . import engines
    from .web import register_web

    register_web(app)
    engines.init_app(app)

    from .cli import register_commands

    register_commands(app)
    if app.config["TOWNHALL_PAGE_CACHE"]:
        from .web.caching import install_page_cache

        install_page_cache(app)
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* headers only from the number of proxies the council says stand in front."""
    count = app.config["TOWNHALL_PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)
