"""The web layer: one blueprint per capability, thin views over the domain packages.

To add a capability, add its module name to BLUEPRINTS; the module exposes `bp`.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

from . import (
    assets,
    bodies,
    caching,
    casewords,
    content_health,
    csrf,
    emails,
    errors,
    header,
    metrics,
    redirects,
    security,
    templating,
    wording,
)

BLUEPRINTS = (
    "preferences",
    "feedback",
    "contact",
    "track",
    "hear_back",
    "staff",
    "services",
    "steps",
    "guides",
    "bins",
    "alerts",
    "search",
    "ask",
    "directory",
    "places",
    "places_api",
    "openreferral",
    "openapi",
    "speech",
    "meta",
    "health",
    "images",
    "content_health",
    "performance",
    "staff_performance",
    "survey",
    "pages",  # last: its /<slug> route for general pages must not shadow the others
)


def register_web(app: Flask) -> None:
    templating.install(app)
    wording.install(app)
    casewords.install(app)
    security.install(app)
    csrf.install(app)
    errors.install(app)
    emails.install(app)
    assets.install(app)
    metrics.install(app)
    caching.install(app)
    bodies.install(app)
    redirects.install(app)
    content_health.install(app)
    header.install(app)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
