"""`flask search ...` commands."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("search", help="Commands for the search capability.")
