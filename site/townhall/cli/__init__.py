"""Command-line operations people do by hand: `flask content|geodata|search|speech|db|staff|data|outbox ...`.

Each capability owns one module exposing a click group named ``group``; this
module only registers them, so adding a capability never edits another's file.
"""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every capability's command group to the app's ``flask`` CLI."""
    from . import content, data, database, geodata, outbox, performance, search, speech, staff

    for module in (content, geodata, search, speech, database, staff, data, outbox, performance):
        app.cli.add_command(module.group)
