"""`flask speech ...` commands."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("speech", help="Commands for the speech capability.")
