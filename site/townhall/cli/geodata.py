"""`flask geodata ...`: import postcodes, area layers and facilities; make the demo data.

Every command writes to the folder in TOWNHALL_GEODATA (default ``geodata/``),
the one the site reads. Imports are atomic: when a file has problems, every bad
row is listed with its line number and the data in use is left untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

group = AppGroup("geodata", help="Import postcodes, area layers and facilities for the places pages.")


def _folder():
    from ..places.store import GeodataFolder

    return GeodataFolder(current_app.config["TOWNHALL_GEODATA"])


def _nearest_count() -> int:
    """How many nearest places of each kind to store for every postcode (TOWNHALL_NEAREST_PRECOMPUTED)."""
    count = current_app.config["TOWNHALL_NEAREST_PRECOMPUTED"]
    if count < 1:
        click.echo("TOWNHALL_NEAREST_PRECOMPUTED must be at least 1.", err=True)
        sys.exit(1)
    return count


def _run(action) -> None:
    """Run an import, printing its report, or every problem and exit status 1."""
    from ..places.importers import ImportFailed

    try:
        report = action()
    except ImportFailed as failure:
        click.echo(f"Could not import {failure.source}: nothing was changed.", err=True)
        click.echo(f"Fix these {len(failure.problems)} problem(s) and try again:", err=True)
        for problem in failure.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    click.echo(f"Geodata folder: {current_app.config['TOWNHALL_GEODATA']}")


_skip = click.option("--skip-bad-rows", is_flag=True, help="Import the good rows and list the bad ones.")
_path = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))


@group.command("import-postcodes")
@_path
@click.option("--postcode-column", help="Column with the postcode (default: pcds, postcode...).")
@click.option("--latitude-column", help="Column with the latitude (default: lat, latitude).")
@click.option("--longitude-column", help="Column with the longitude (default: long, lon, longitude).")
@click.option("--easting-column", help="Column with the OS easting (default: oseast1m, easting...).")
@click.option("--northing-column", help="Column with the OS northing (default: osnrth1m, northing...).")
@click.option("--withdrawn-column", help="Column with the date a postcode was withdrawn (default: doterm).")
@_skip
def import_postcodes(file: Path, skip_bad_rows: bool, **columns: Any) -> None:
    """Replace the postcodes with those in FILE (ONS Postcode Directory, Code-Point Open or plain CSV).

    Each postcode's area in every layer and its nearest places of each kind are
    worked out now, so lookups are fast.
    """
    from ..places.importers import PostcodeColumns
    from ..places.importers import import_postcodes as run

    names = PostcodeColumns(
        postcode=columns["postcode_column"], latitude=columns["latitude_column"],
        longitude=columns["longitude_column"], easting=columns["easting_column"],
        northing=columns["northing_column"], withdrawn=columns["withdrawn_column"],
    )
    _run(lambda: run(_folder(), file, names, skip_bad_rows=skip_bad_rows, nearest_count=_nearest_count()))


@group.command("import-areas")
@click.argument("layer")
@_path
@click.option("--code-property", help="Property holding each area's code (guessed when left out).")
@click.option("--name-property", help="Property holding each area's name (guessed when left out).")
@click.option("--crs", help="Coordinate system when the file does not say, e.g. EPSG:27700.")
@click.option("--title", help='What the layer is, e.g. "Primary school catchment areas".')
@click.option("--edition", help='Which edition, e.g. "catchment areas for 2026/27 entry".')
@click.option("--kind", type=click.Choice(["boundary", "catchment", "ward", "parish", "collection", "other"]))
@click.option("--confirm", help="How a resident near a boundary can confirm with their full address.")
@click.option("--source", help="Where the data comes from.")
@click.option("--licence", help="The data's licence.")
@click.option("--boundary-warning/--no-boundary-warning", default=None,
              help="Warn when a postcode is near this layer's boundaries (default: on).")
@click.option("--dissolve", nargs=2, metavar="CODE NAME",
              help="Merge every feature into one area (e.g. the council boundary from its wards).")
@_skip
def import_areas(layer: str, file: Path, code_property: str | None, name_property: str | None,
                 crs: str | None, dissolve: tuple[str, str] | None, skip_bad_rows: bool, **meta: Any) -> None:
    """Add or replace area LAYER from a GeoJSON FILE of polygons.

    Name the council's own area "boundary": postcodes outside it get the
    "outside our area" answer.
    """
    from ..places.importers import import_areas as run

    _run(lambda: run(_folder(), layer, file, code_property=code_property, name_property=name_property,
                     crs=crs, dissolve=dissolve or None, meta=meta, skip_bad_rows=skip_bad_rows))


@group.command("import-facilities")
@_path
@click.option("--crs", help="Coordinate system of a GeoJSON file that does not say, e.g. EPSG:27700.")
@_skip
def import_facilities(file: Path, crs: str | None, skip_bad_rows: bool) -> None:
    """Replace the facilities with those in FILE (CSV or GeoJSON points).

    Rows without coordinates are placed at their postcode, so import postcodes first.
    Every postcode's nearest places of each kind are worked out again now.
    """
    from ..places.importers import import_facilities as run

    _run(lambda: run(_folder(), file, crs=crs, skip_bad_rows=skip_bad_rows, nearest_count=_nearest_count()))


@group.command("remove-layer")
@click.argument("layer")
def remove_layer(layer: str) -> None:
    """Stop using area LAYER."""
    from ..places.importers import delete_layer

    if delete_layer(_folder(), layer):
        click.echo(f"Removed the {layer} layer.")
    else:
        click.echo(f"There is no layer called {layer}.", err=True)
        sys.exit(1)


@group.command("generate-demo")
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path),
              help="Also keep the generated CSV and GeoJSON files in this folder.")
def generate_demo(sources: Path | None) -> None:
    """Make the fictional demo council's postcodes, areas and facilities (same result every run)."""
    from ..places.demo import generate

    for report in generate(current_app.config["TOWNHALL_GEODATA"], sources=sources, nearest_count=_nearest_count()):
        for line in report.lines():
            click.echo(line)
    click.echo(f"Geodata folder: {current_app.config['TOWNHALL_GEODATA']}")


@group.command("status")
def status() -> None:
    """Say what geodata the site is using."""
    folder = _folder()
    manifest = folder.manifest()
    if folder.current is None:
        click.echo(f"No geodata in {folder.root}. Run `flask geodata generate-demo` or the import commands.")
        sys.exit(1)
    click.echo(f"Using {folder.current}")
    postcodes = manifest.get("postcodes") or {}
    click.echo(f"Postcodes: {postcodes.get('count', 0):,} ({postcodes.get('in_use', 0):,} in use), "
               f"imported {postcodes.get('imported_at', 'never')}")
    for layer in manifest["layers"]:
        click.echo(f"Layer {layer['name']}: {layer['area_count']} areas, {layer['title']} ({layer['edition'] or 'no edition given'})")
    facilities = manifest.get("facilities") or {}
    click.echo(f"Facilities: {facilities.get('count', 0)} in {facilities.get('categories', 0)} categories")
    nearest = manifest.get("nearest") or {}
    if nearest.get("widths"):
        click.echo(f"Nearest places: up to {nearest['count']} of each kind stored for every postcode in use")
