"""What "How we're doing" builds once per app: the library of the team's explanations.

The figures themselves are rows in the database (see `townhall.performance`); the
explanations are Markdown files in ``content/performance``, read again only when
one changes.
"""

from __future__ import annotations

from flask import Flask

from ..performance import ExplanationLibrary


def make_explanations(app: Flask) -> ExplanationLibrary:
    return ExplanationLibrary(app.config["TOWNHALL_CONTENT"])
