"""Townhall: an accessibility-first public information website for a UK local council."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from . import config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then any test settings."""
    app = Flask(__name__, instance_path=None)
    settings = config.from_environment()
    if test_config:
        settings.update(test_config)
        settings = config.finish(settings)
    app.config.update(settings)

    from .cli import register_commands

    register_commands(app)
    return app
