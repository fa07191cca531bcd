"""Read the open-data files people bring, check every row, and build a new generation.

Each importer reads the whole file first and collects every problem with its
line (CSV) or feature number (GeoJSON). If there is any, nothing is written and
``ImportFailed`` lists them all, unless the caller asked to skip bad rows, in
which case the good rows are imported and the report lists what was left out.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from .. import hours as hours_module
from ..text import slugify, unique_id
from .build import remove_layer, store_facilities, store_layer, store_postcodes
from .errors import PlacesError
from .geometry import (
    BRITISH_NATIONAL_GRID,
    WGS84,
    from_grid,
    repair,
    reproject,
    to_grid,
)
from .postcodes import clean, is_valid
from .store import (
    BOUNDARY,
    LAYER_NAME,
    Category,
    Facility,
    GeodataFolder,
    Layer,
    StoredGeodata,
)

csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class Problem:
    """One bad row: where it is and what is wrong, in words a person can act on."""

    where: str  # "line 12" or "feature 3 (E05000001 Abbey)"
    message: str

    def __str__(self) -> str:
        return f"{self.where[:1].upper()}{self.where[1:]}: {self.message}"


class ImportFailed(Exception):
    """The file could not be imported; the data in use was not changed."""

    def __init__(self, source: str | Path, problems: Sequence[Problem]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{self.source}: {count} problem{'s' if count != 1 else ''}; nothing was changed."
        )


@dataclass
class ImportReport:
    what: str  # plural noun, e.g. "postcodes"
    source: str
    imported: int
    notes: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    where: str = ""  # e.g. " into the wards layer"

    def lines(self) -> list[str]:
        noun = self.what[:-1] if self.imported == 1 and self.what.endswith("s") else self.what
        out = [f"Imported {self.imported:,} {noun}{self.where} from {self.source}."]
        out += self.notes
        if self.skipped:
            out.append(f"Left out {len(self.skipped):,} bad row{'s' if len(self.skipped) != 1 else ''}:")
            out += [f"  {problem}" for problem in self.skipped]
        return out


# --- CSV helpers ----------------------------------------------------------------


def _open_text(path: Path) -> io.TextIOWrapper:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ImportFailed(path, [Problem("file", "there is no such file")]) from None
    except IsADirectoryError:
        raise ImportFailed(path, [Problem("file", "this is a folder, not a file")]) from None


def _pick(header: Sequence[str], wanted: str | None, guesses: Iterable[str], label: str, path: Path) -> int | None:
    lowered = [name.strip().lower() for name in header]
    if wanted:
        if wanted.strip().lower() not in lowered:
            raise ImportFailed(
                path, [Problem("line 1", f'there is no column called "{wanted}" for the {label}')]
            )
        return lowered.index(wanted.strip().lower())
    for guess in guesses:
        if guess in lowered:
            return lowered.index(guess)
    return None


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


# --- postcodes ------------------------------------------------------------------

POSTCODE_COLUMNS = ("pcds", "postcode", "pcd", "pcd2", "pcd7", "pcd8", "post code", "pc")
LATITUDE_COLUMNS = ("lat", "latitude")
LONGITUDE_COLUMNS = ("long", "lon", "lng", "longitude")
EASTING_COLUMNS = ("oseast1m", "easting", "eastings", "ea", "east", "x")
NORTHING_COLUMNS = ("osnrth1m", "northing", "northings", "no", "north", "y")
WITHDRAWN_COLUMNS = ("doterm", "terminated", "date_of_termination", "withdrawn")
# OS Code-Point Open ships its CSVs without a header row, in this order.
CODE_POINT_HEADER = ("postcode", "pq", "eastings", "northings", "cy", "rh", "lh", "cc", "dc", "wc")
# The ONS Postcode Directory's marker for "no grid reference".
_NO_LATITUDE = 99.999999


@dataclass(frozen=True)
class PostcodeColumns:
    postcode: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    easting: str | None = None
    northing: str | None = None
    withdrawn: str | None = None


@dataclass
class PostcodeRows:
    postcodes: list[str]
    lon: np.ndarray
    lat: np.ndarray
    east: np.ndarray
    north: np.ndarray
    withdrawn: np.ndarray
    problems: list[Problem]
    no_location: int = 0


def read_postcodes(path: str | Path, columns: PostcodeColumns = PostcodeColumns()) -> PostcodeRows:
    """Read an ONSPD, Code-Point Open or plain postcode CSV into checked columns."""
    path = Path(path)
    problems: list[Problem] = []
    postcodes: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    easts: list[float] = []
    norths: list[float] = []
    withdrawn: list[int] = []
    seen: dict[str, int] = {}
    no_location = 0
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        first = next(reader, None)
        if first is None:
            raise ImportFailed(path, [Problem("line 1", "the file is empty")])
        pending: list[list[str]] = []
        if first and is_valid(re.sub(r"[^0-9A-Za-z]", "", first[0]).upper()) and not any(
            cell.strip().lower() in POSTCODE_COLUMNS for cell in first
        ):
            header = list(CODE_POINT_HEADER[: len(first)])  # Code-Point Open: no header row
            pending.append(first)
            first_line = 1
        else:
            header = first
            first_line = 2
        at = {
            "postcode": _pick(header, columns.postcode, POSTCODE_COLUMNS, "postcode", path),
            "lat": _pick(header, columns.latitude, LATITUDE_COLUMNS, "latitude", path),
            "lon": _pick(header, columns.longitude, LONGITUDE_COLUMNS, "longitude", path),
            "east": _pick(header, columns.easting, EASTING_COLUMNS, "easting", path),
            "north": _pick(header, columns.northing, NORTHING_COLUMNS, "northing", path),
            "withdrawn": _pick(header, columns.withdrawn, WITHDRAWN_COLUMNS, "date withdrawn", path),
        }
        if at["postcode"] is None:
            raise ImportFailed(
                path,
                [Problem("line 1", "no postcode column: name it pcds or postcode, or use --postcode-column")],
            )
        has_latlon = at["lat"] is not None and at["lon"] is not None
        has_grid = at["east"] is not None and at["north"] is not None
        if not (has_latlon or has_grid):
            raise ImportFailed(
                path,
                [Problem("line 1", "no coordinates: give latitude and longitude columns, "
                                   "or easting and northing (OS National Grid)")],
            )
        width = max(index for index in at.values() if index is not None) + 1

        def rows() -> Iterator[tuple[int, list[str]]]:
            for row in pending:
                yield first_line - 1, row
            for row in reader:
                yield reader.line_num, row

        for line, row in rows():
            if not row or not any(cell.strip() for cell in row):
                continue
            where = f"line {line}"
            if len(row) < width:
                problems.append(Problem(where, f"expected at least {width} columns, found {len(row)}"))
                continue
            typed = row[at["postcode"]]
            try:
                cleaned = clean(typed)
            except PlacesError:
                problems.append(Problem(where, f'"{typed.strip()}" is not a postcode'))
                continue
            postcode = cleaned.postcode
            if cleaned.corrected:
                problems.append(Problem(where, f'"{typed.strip()}" is not a postcode (did you mean {postcode}?)'))
                continue
            try:
                lat = _number(row[at["lat"]]) if has_latlon else None
                lon = _number(row[at["lon"]]) if has_latlon else None
                east = _number(row[at["east"]]) if has_grid else None
                north = _number(row[at["north"]]) if has_grid else None
            except ValueError:
                problems.append(Problem(where, f"{postcode}: the coordinates are not numbers"))
                continue
            if lat is not None and abs(lat - _NO_LATITUDE) < 1e-6:
                lat = lon = None
            if lat is not None and lon is not None:
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    swapped = -90 <= lon <= 90 and -180 <= lat <= 180
                    hint = " (latitude and longitude look swapped)" if swapped else ""
                    problems.append(Problem(where, f"{postcode}: latitude {lat}, longitude {lon} is not on Earth{hint}"))
                    continue
                east = north = math.nan
            elif east is not None and north is not None:
                if not (0 <= east <= 800_000 and 0 <= north <= 1_400_000):
                    problems.append(Problem(where, f"{postcode}: easting {east}, northing {north} is off the National Grid"))
                    continue
                lat = lon = math.nan
            else:
                no_location += 1  # ONSPD lists postcodes with no grid reference: nothing to place
                continue
            withdrawn_code = 0
            if at["withdrawn"] is not None and row[at["withdrawn"]].strip():
                withdrawn_code = _yyyymm(row[at["withdrawn"]])
                if withdrawn_code is None:
                    problems.append(
                        Problem(where, f'{postcode}: "{row[at["withdrawn"]].strip()}" is not a date like 201903 or 2019-03')
                    )
                    continue
            if postcode in seen:
                problems.append(Problem(where, f"{postcode} is already on line {seen[postcode]}"))
                continue
            seen[postcode] = line
            postcodes.append(postcode)
            lats.append(lat)
            lons.append(lon)
            easts.append(east)
            norths.append(north)
            withdrawn.append(withdrawn_code)
    lat_array, lon_array = np.array(lats, dtype=float), np.array(lons, dtype=float)
    east_array, north_array = np.array(easts, dtype=float), np.array(norths, dtype=float)
    from_latlon = ~np.isnan(lat_array)
    if from_latlon.any():
        east_array[from_latlon], north_array[from_latlon] = to_grid(lon_array[from_latlon], lat_array[from_latlon])
    if (~from_latlon).any():
        lon_array[~from_latlon], lat_array[~from_latlon] = from_grid(east_array[~from_latlon], north_array[~from_latlon])
    return PostcodeRows(
        postcodes, lon_array, lat_array, east_array, north_array,
        np.array(withdrawn, dtype=np.uint32), problems, no_location,
    )


def _yyyymm(text: str) -> int | None:
    match = re.fullmatch(r"\s*(\d{4})-?(\d{2})(?:-?\d{2})?\s*", text)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return year * 100 + month if 1 <= month <= 12 and 1900 <= year <= 2200 else None


def import_postcodes(
    folder: GeodataFolder,
    path: str | Path,
    columns: PostcodeColumns = PostcodeColumns(),
    *,
    skip_bad_rows: bool = False,
    nearest_count: int | None = None,
) -> ImportReport:
    """Replace every postcode with those in a CSV file (``nearest_count``: see ``store_nearest``)."""
    rows = read_postcodes(path, columns)
    if rows.problems and not skip_bad_rows:
        raise ImportFailed(path, rows.problems)
    if not rows.postcodes:
        raise ImportFailed(path, rows.problems or [Problem("file", "there are no postcodes in it")])
    with folder.update() as generation:
        store_postcodes(
            generation, rows.postcodes, rows.lon, rows.lat, rows.east, rows.north, rows.withdrawn,
            source=Path(path).name, nearest_count=nearest_count,
        )
    report = ImportReport("postcodes", str(path), len(rows.postcodes), skipped=rows.problems)
    withdrawn = int(np.count_nonzero(rows.withdrawn))
    if withdrawn:
        report.notes.append(f"{withdrawn:,} of them are no longer in use (they have a date withdrawn).")
    if rows.no_location:
        report.notes.append(f"Left out {rows.no_location:,} postcodes that have no location in the file.")
    layers = [entry["name"] for entry in folder.manifest()["layers"]]
    if layers:
        report.notes.append("Worked out every postcode's area in: " + ", ".join(layers) + ".")
    _note_nearest(folder, report)
    return report


def _note_nearest(folder: GeodataFolder, report: ImportReport) -> None:
    nearest = folder.manifest().get("nearest") or {}
    if nearest.get("widths"):
        report.notes.append(f"Worked out every postcode's {nearest['count']} nearest places of each kind.")


# --- area layers ----------------------------------------------------------------

CODE_GUESSES = ("code", "gss_code", "area_code", "areacode", "ons_code", "id", "ref")
NAME_GUESSES = ("name", "area_name", "areaname", "label", "title")
_ONS_CODE = re.compile(r"^[A-Za-z]{2,6}\d{2}CD$")
_ONS_NAME = re.compile(r"^[A-Za-z]{2,6}\d{2}NM$")


@dataclass
class AreaRows:
    codes: list[str]
    names: list[str]
    properties: list[dict[str, Any]]
    geometries: np.ndarray
    problems: list[Problem]
    repairs: list[str]
    code_property: str
    name_property: str | None
    crs: str
    meta: dict[str, Any]


def _crs_name(data: dict[str, Any], override: str | None) -> str:
    if override:
        return override
    crs = data.get("crs")
    if not crs:
        return WGS84
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if "CRS84" in name.upper() or name.upper().endswith(("EPSG::4326", "EPSG:4326")):
        return WGS84
    match = re.search(r"EPSG:+(\d+)", name.upper())
    return f"EPSG:{match[1]}" if match else (name or WGS84)


def _guess(properties: list[dict[str, Any]], guesses: Iterable[str], pattern: re.Pattern[str],
           unique: bool) -> str | None:
    if not properties:
        return None
    names = list(properties[0].keys())
    lowered = {name.lower(): name for name in names}
    ordered = [lowered[g] for g in guesses if g in lowered]
    ordered += [name for name in names if pattern.match(name) and name not in ordered]
    for name in ordered:
        values = [props.get(name) for props in properties]
        if any(value in (None, "") for value in values):
            continue
        if unique and len({str(value) for value in values}) != len(values):
            continue
        return name
    return None


def _feature_label(number: int, code: str | None = None, name: str | None = None) -> str:
    detail = " ".join(part for part in (code, name) if part)
    return f"feature {number}" + (f" ({detail})" if detail else "")


def read_areas(
    path: str | Path,
    *,
    code_property: str | None = None,
    name_property: str | None = None,
    crs: str | None = None,
    dissolve: tuple[str, str] | None = None,
) -> AreaRows:
    """Read a GeoJSON FeatureCollection of polygons, repairing invalid rings."""
    path = Path(path)
    with _open_text(path) as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise ImportFailed(path, [Problem(f"line {error.lineno}", f"this is not valid JSON ({error.msg})")]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ImportFailed(path, [Problem("file", "expected a GeoJSON FeatureCollection")])
    features = data["features"]
    if not features:
        raise ImportFailed(path, [Problem("file", "the FeatureCollection has no features")])
    source_crs = _crs_name(data, crs)
    properties = [dict(feature.get("properties") or {}) if isinstance(feature, dict) else {} for feature in features]
    problems: list[Problem] = []
    if dissolve:
        code_key, name_key = "", None
    else:
        code_key = code_property or _guess(properties, CODE_GUESSES, _ONS_CODE, unique=True)
        if code_key is None and all(isinstance(f, dict) and f.get("id") not in (None, "") for f in features):
            code_key = "@id"
        if code_key is None:
            available = ", ".join(properties[0].keys()) or "none"
            raise ImportFailed(path, [Problem(
                "file", f"cannot tell which property holds each area's code; name it with "
                        f"--code-property (properties: {available})")])
        name_key = name_property or _guess(properties, NAME_GUESSES, _ONS_NAME, unique=False)
        if code_property and code_property not in properties[0]:
            raise ImportFailed(path, [Problem("feature 1", f'has no property called "{code_property}"')])
        if name_property and name_property not in properties[0]:
            raise ImportFailed(path, [Problem("feature 1", f'has no property called "{name_property}"')])
    codes: list[str] = []
    names: list[str] = []
    kept_properties: list[dict[str, Any]] = []
    geometries: list[Any] = []
    repairs: list[str] = []
    seen: dict[str, int] = {}
    for number, (feature, props) in enumerate(zip(features, properties, strict=True), start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(_feature_label(number), "is not a GeoJSON Feature"))
            continue
        if dissolve:
            code, name = dissolve
        else:
            raw_code = feature.get("id") if code_key == "@id" else props.get(code_key)
            code = "" if raw_code is None else str(raw_code).strip()
            raw_name = props.get(name_key) if name_key else None
            name = code if raw_name in (None, "") else str(raw_name).strip()
            if not code:
                problems.append(Problem(_feature_label(number), f'has no code in "{code_key}"'))
                continue
            if code in seen:
                problems.append(Problem(_feature_label(number, code, name), f"has the same code as feature {seen[code]}"))
                continue
        label = _feature_label(number, code if not dissolve else None, name if not dissolve else None)
        geometry_data = feature.get("geometry")
        if not isinstance(geometry_data, dict) or geometry_data.get("type") not in ("Polygon", "MultiPolygon"):
            kind = geometry_data.get("type") if isinstance(geometry_data, dict) else "no geometry"
            problems.append(Problem(label, f"is a {kind}, not a Polygon or MultiPolygon"))
            continue
        try:
            geometry = shape(geometry_data)
        except Exception as error:  # noqa: BLE001 - Shapely reports malformed coordinate arrays many ways
            problems.append(Problem(label, f"has coordinates that do not make a polygon ({error})"))
            continue
        if geometry.is_empty:
            problems.append(Problem(label, "has an empty geometry"))
            continue
        if source_crs == WGS84:
            minx, miny, maxx, maxy = geometry.bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                hint = (" They look like OS National Grid eastings and northings: add --crs EPSG:27700."
                        if minx >= 0 and maxx <= 800_000 and maxy <= 1_400_000 else "")
                problems.append(Problem(label, f"has coordinates that are not longitude and latitude.{hint}"))
                continue
        geometry, reason = repair(geometry)
        if reason:
            if geometry.is_empty:
                problems.append(Problem(label, f"is not a valid polygon ({reason}) and could not be repaired"))
                continue
            repairs.append(f"Repaired {label}: {reason}.")
        seen[code] = number
        codes.append(code)
        names.append(name)
        kept_properties.append({key: value for key, value in props.items() if key not in (code_key, name_key)})
        geometries.append(geometry)
    geometry_array = np.array(geometries, dtype=object)
    if source_crs != WGS84 and len(geometry_array):
        try:
            geometry_array = reproject(geometry_array, source_crs, WGS84)
        except Exception as error:  # noqa: BLE001 - pyproj raises CRSError and ProjError subclasses
            raise ImportFailed(path, [Problem("file", f'cannot use the coordinate system "{source_crs}" ({error})')]) from None
    if dissolve and len(geometry_array):
        merged, _ = repair(shapely.union_all(geometry_array))
        codes, names, kept_properties = [dissolve[0]], [dissolve[1]], [{}]
        geometry_array = np.array([merged], dtype=object)
    meta = data.get("townhall") if isinstance(data.get("townhall"), dict) else {}
    return AreaRows(codes, names, kept_properties, geometry_array, problems, repairs,
                    code_key, name_key, source_crs, meta)


LAYER_META_KEYS = ("title", "edition", "kind", "description", "confirm", "source", "licence", "boundary_warning", "translations")


def import_areas(
    folder: GeodataFolder,
    layer_name: str,
    path: str | Path,
    *,
    code_property: str | None = None,
    name_property: str | None = None,
    crs: str | None = None,
    dissolve: tuple[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    skip_bad_rows: bool = False,
) -> ImportReport:
    """Add or replace one area layer from a GeoJSON file."""
    if not LAYER_NAME.match(layer_name):
        raise ImportFailed(path, [Problem(
            "layer name", f'"{layer_name}" should be lower-case letters, digits and hyphens, like primary-catchments')])
    rows = read_areas(path, code_property=code_property, name_property=name_property, crs=crs, dissolve=dissolve)
    if rows.problems and not skip_bad_rows:
        raise ImportFailed(path, rows.problems)
    if not rows.codes:
        raise ImportFailed(path, rows.problems or [Problem("file", "there are no areas in it")])
    previous = next((entry for entry in folder.manifest()["layers"] if entry["name"] == layer_name), {})
    settings: dict[str, Any] = {key: previous[key] for key in LAYER_META_KEYS if key in previous}
    settings.update({key: rows.meta[key] for key in LAYER_META_KEYS if key in rows.meta})
    settings.update({key: value for key, value in (meta or {}).items() if value is not None})
    settings.setdefault("title", layer_name.replace("-", " ").capitalize())
    settings.setdefault("kind", BOUNDARY if layer_name == BOUNDARY else "other")
    settings.setdefault("source", Path(path).name)
    layer = Layer(name=layer_name, **settings)
    with folder.update() as generation:
        store_layer(generation, layer, rows.codes, rows.names, rows.properties, rows.geometries)
        has_postcodes = bool(generation.manifest.get("postcodes"))
    report = ImportReport("areas", str(path), len(rows.codes), skipped=rows.problems, where=f" into the {layer_name} layer")
    if not dissolve:
        report.notes.append(
            f'Codes from "{rows.code_property}", names from "{rows.name_property or rows.code_property}".')
    if rows.crs != WGS84:
        report.notes.append(f"Reprojected from {rows.crs} to WGS84 longitude and latitude.")
    report.notes += rows.repairs
    if has_postcodes:
        report.notes.append("Worked out every postcode's area in this layer.")
    return report


def delete_layer(folder: GeodataFolder, layer_name: str) -> bool:
    with folder.update() as generation:
        return remove_layer(generation, layer_name)


# --- facilities -----------------------------------------------------------------

FACILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ref", "identifier"),
    "name": ("name", "title"),
    "category": ("category", "type", "kind", "amenity"),
    "address": ("address", "street_address", "addr"),
    "postcode": ("postcode", "post_code", "pcds"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "long", "lng"),
    "east": ("easting", "eastings", "oseast1m"),
    "north": ("northing", "northings", "osnrth1m"),
    "phone": ("phone", "telephone", "tel"),
    "email": ("email", "e-mail"),
    "website": ("website", "url", "web"),
    "opening_hours": ("opening_hours", "opening hours", "hours", "openinghours"),
    "accessibility": ("accessibility", "accessibility_notes", "access"),
    "description": ("description", "notes"),
}


@dataclass
class FacilityRows:
    categories: list[Category]
    facilities: list[Facility]
    problems: list[Problem]


def _facility_records(path: Path, crs: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, fields) for each row of a CSV or each feature of a GeoJSON file."""
    if path.suffix.lower() in (".geojson", ".json"):
        with _open_text(path) as handle:
            try:
                data = json.load(handle)
            except json.JSONDecodeError as error:
                raise ImportFailed(path, [Problem(f"line {error.lineno}", f"this is not valid JSON ({error.msg})")]) from None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise ImportFailed(path, [Problem("file", "expected a GeoJSON FeatureCollection of points")])
        source_crs = _crs_name(data, crs)
        for number, feature in enumerate(data.get("features") or [], start=1):
            props = {str(k).lower(): v for k, v in ((feature or {}).get("properties") or {}).items()}
            geometry = (feature or {}).get("geometry") or {}
            record = {field: _first(props, names) for field, names in FACILITY_FIELDS.items()}
            if geometry.get("type") == "Point" and len(geometry.get("coordinates") or []) >= 2:
                x, y = geometry["coordinates"][:2]
                if source_crs == WGS84:
                    record["lon"], record["lat"] = x, y
                elif source_crs == BRITISH_NATIONAL_GRID:
                    record["east"], record["north"] = x, y
                else:
                    lon, lat = reproject(np.array([shapely.Point(x, y)]), source_crs)[0].coords[0]
                    record["lon"], record["lat"] = lon, lat
            elif geometry:
                record["_bad_geometry"] = geometry.get("type", "unknown")
            yield f"feature {number}", record
        return
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise ImportFailed(path, [Problem("line 1", "the file is empty")])
        for row in reader:
            lowered = {(key or "").strip().lower(): value for key, value in row.items()}
            yield f"line {reader.line_num}", {field: _first(lowered, names) for field, names in FACILITY_FIELDS.items()}


def _first(values: dict[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = values.get(name)
        if value not in (None, ""):
            return value.strip() if isinstance(value, str) else value
    return None


def read_facilities(path: str | Path, places: StoredGeodata | None = None, *, crs: str | None = None) -> FacilityRows:
    """Read facilities; a row without coordinates is placed at its postcode's centre."""
    path = Path(path)
    problems: list[Problem] = []
    categories: dict[str, Category] = {}
    facilities: list[Facility] = []
    ids: set[str] = set()
    pending: list[tuple[str, dict[str, Any]]] = []
    for where, record in _facility_records(path, crs):
        pending.append((where, record))
    for where, record in pending:
        name = record.get("name")
        category = record.get("category")
        missing = [label for label, value in (("name", name), ("category", category)) if not value]
        if missing:
            problems.append(Problem(where, "has no " + " and no ".join(missing)))
            continue
        name, category_label = str(name), str(category)
        label = f"{where} ({name})"
        if record.get("_bad_geometry"):
            problems.append(Problem(label, f"is a {record['_bad_geometry']}, not a Point"))
            continue
        postcode = ""
        if record.get("postcode"):
            try:
                postcode = clean(str(record["postcode"])).postcode
            except PlacesError:
                problems.append(Problem(label, f'"{record["postcode"]}" is not a postcode'))
                continue
        try:
            lat, lon, east, north = _facility_position(record, postcode, places)
        except ValueError as error:
            problems.append(Problem(label, str(error)))
            continue
        opening_hours = str(record.get("opening_hours") or "")
        if opening_hours:
            try:
                hours_module.parse_hours(opening_hours)
            except hours_module.HoursError as error:
                problems.append(Problem(label, f"opening hours: {error}"))
                continue
        website = str(record.get("website") or "")
        if website and not re.match(r"^https?://", website):
            problems.append(Problem(label, f'the website "{website}" should start with https://'))
            continue
        email = str(record.get("email") or "")
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            problems.append(Problem(label, f'"{email}" is not an email address'))
            continue
        slug = slugify(category_label)
        if not slug:
            problems.append(Problem(label, f'the category "{category_label}" has no letters or digits'))
            continue
        categories.setdefault(slug, Category(slug, _category_label(category_label)))
        base = slugify(str(record.get("id") or name)) or "facility"
        facility_id = unique_id(base, ids)
        facilities.append(Facility(
            id=facility_id, name=name, category=slug, lat=lat, lon=lon, east=east, north=north,
            address=str(record.get("address") or ""), postcode=postcode,
            phone=str(record.get("phone") or ""), email=email, website=website,
            opening_hours=opening_hours, accessibility=str(record.get("accessibility") or ""),
            description=str(record.get("description") or ""),
        ))
    return FacilityRows(list(categories.values()), facilities, problems)


def _category_label(text: str) -> str:
    if text == text.lower() and re.fullmatch(r"[a-z0-9_-]+", text):
        return text.replace("-", " ").replace("_", " ").capitalize()
    return text


def _facility_position(record: dict[str, Any], postcode: str, places: StoredGeodata | None) -> tuple[float, float, float, float]:
    try:
        lat = _number(str(record["lat"])) if record.get("lat") is not None else None
        lon = _number(str(record["lon"])) if record.get("lon") is not None else None
        east = _number(str(record["east"])) if record.get("east") is not None else None
        north = _number(str(record["north"])) if record.get("north") is not None else None
    except ValueError:
        raise ValueError("the coordinates are not numbers") from None
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"latitude {lat}, longitude {lon} is not on Earth")
        e, n = to_grid(np.array([lon]), np.array([lat]))
        return lat, lon, float(e[0]), float(n[0])
    if east is not None and north is not None:
        if not (0 <= east <= 800_000 and 0 <= north <= 1_400_000):
            raise ValueError(f"easting {east}, northing {north} is off the National Grid")
        lo, la = from_grid(np.array([east]), np.array([north]))
        return float(la[0]), float(lo[0]), east, north
    if postcode and places is not None and places.has_postcodes:
        key = postcode.encode()
        row = int(places.keys.searchsorted(key))
        if row < len(places.keys) and places.keys[row] == key:
            lo, la, e, n = places.coords[row].tolist()
            return la, lo, e, n
        raise ValueError(f"has no coordinates, and its postcode {postcode} is not in our postcode data")
    raise ValueError("has no location: give latitude and longitude, easting and northing, or a postcode we hold")


def import_facilities(
    folder: GeodataFolder,
    path: str | Path,
    *,
    crs: str | None = None,
    skip_bad_rows: bool = False,
    nearest_count: int | None = None,
) -> ImportReport:
    """Replace every facility with those in a CSV or GeoJSON file, and work out every
    postcode's nearest of each category again (``nearest_count`` of each: see ``store_nearest``)."""
    current = folder.current
    places = StoredGeodata(current) if current is not None else None
    rows = read_facilities(path, places, crs=crs)
    if rows.problems and not skip_bad_rows:
        raise ImportFailed(path, rows.problems)
    if not rows.facilities:
        raise ImportFailed(path, rows.problems or [Problem("file", "there are no facilities in it")])
    with folder.update() as generation:
        store_facilities(generation, rows.categories, rows.facilities, source=Path(path).name,
                         nearest_count=nearest_count)
    report = ImportReport("facilities", str(path), len(rows.facilities), skipped=rows.problems)
    report.notes.append(
        "Categories: " + ", ".join(f"{c.label} ({sum(f.category == c.slug for f in rows.facilities)})" for c in rows.categories) + "."
    )
    _note_nearest(folder, report)
    return report
