"""The geodata an app serves: opened once, reopened when an import has made a new generation."""

from __future__ import annotations

from flask import Flask

from ..places.engine import Places
from ..places.errors import GeodataMissing
from ..places.store import GeodataFolder

OPENED = "places"


def init_app(app: Flask) -> None:
    """Remove folders left by imports that were killed (a running import keeps its own)."""
    GeodataFolder(app.config["TOWNHALL_GEODATA"]).generations.tidy()


def current(engines) -> Places:
    """The places engine over the generation in use; GeodataMissing when there is none yet.

    Asking the store for its generation is one small file read, so an import is
    picked up by every worker on its next request, with no restart.
    """
    config = engines.app.config
    folder = GeodataFolder(config["TOWNHALL_GEODATA"])
    stamp = folder.stamp()
    if stamp is None:
        raise GeodataMissing()
    council = engines.site.council.name
    opened = engines.once(OPENED, lambda app: _open(folder, stamp, council, config))
    if opened[0] != stamp:
        opened = _open(folder, stamp, council, config)
        engines.replace(OPENED, opened)
    return opened[1]


def _open(folder: GeodataFolder, stamp: str, council: str, config) -> tuple[str, Places]:
    return stamp, Places.open(folder.root, council=council,
                              warning_metres=config["TOWNHALL_BOUNDARY_WARNING_METRES"])
