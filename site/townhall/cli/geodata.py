"""`flask geodata ...` commands."""

from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("geodata", help="Commands for the geodata capability.")
