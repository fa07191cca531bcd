"""`flask content ...` commands."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("content", help="Check the Markdown content the content team edits.")
