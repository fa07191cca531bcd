"""The lookup engine: a postcode or a location in, every area and the nearest facilities out.

Answers for a postcode come from what the import worked out (its area in each
layer, how far it is from each layer's boundaries, and its nearest facilities of
every category with their geodesic distances), so a postcode's answer does no
geometry at all. A location from "use my location" has no stored answer, so it
goes through the same point-in-polygon rule the import used, and the nearest
facilities are found through an STRtree and ranked with geopy's geodesic, live;
so is a postcode asking for more of a category than the import stored.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from shapely import STRtree

from .errors import (
    NotALocation,
    OutsideArea,
    PostcodeNotFound,
    PostcodeTerminated,
    UnknownCategory,
    UnknownLayer,
)
from .geometry import (
    METRES_PER_MILE,
    NEAREST_CELL_METRES,
    NO_AREA,
    PLANAR_MARGIN,
    AreaIndex,
    BoundaryIndex,
    geopy_metres,
    rfc7946,
    to_grid,
)
from .postcodes import clean
from .store import (
    BOUNDARY,
    EDGE_CAP_METRES,
    EDGE_FAR,
    Area,
    Category,
    Facility,
    Layer,
    StoredGeodata,
)

_PLANAR_MARGIN = PLANAR_MARGIN


# The answer's parts are plain slotted dataclasses, treated as read-only: a full answer
# builds a dozen of them, and a frozen dataclass costs about four times as much to build.
@dataclass(slots=True)
class Location:
    lat: float
    lon: float
    east: float
    north: float
    postcode: str | None = None  # standard form; None for a location lookup
    typed: str | None = None
    corrected: bool = False  # we read a letter O or I as a digit
    row: int | None = None  # the postcode's row in the stored data; None for a location


@dataclass(slots=True)
class AreaMatch:
    layer: Layer
    area: Area | None  # None where the layer has no area here (an unparished town)
    edge_metres: int | None  # metres to this layer's nearest boundary; None if far
    near_boundary: bool


@dataclass(slots=True)
class Nearby:
    facility: Facility
    metres: float

    @property
    def km(self) -> float:
        return self.metres / 1000

    @property
    def miles(self) -> float:
        return self.metres / METRES_PER_MILE


@dataclass(slots=True)
class Answer:
    location: Location
    areas: tuple[AreaMatch, ...]
    category: Category | None = None
    nearest: tuple[Nearby, ...] = ()

    def area(self, layer: str) -> AreaMatch | None:
        return next((match for match in self.areas if match.layer.name == layer), None)

    @property
    def near_boundaries(self) -> tuple[AreaMatch, ...]:
        return tuple(match for match in self.areas if match.near_boundary)


class _CategoryIndex:
    """The facilities of one category on the National Grid, in an STRtree, for live lookups.

    Used for a location ("use my location") and for more than the import stored
    for a postcode. The tree's answer is worked out per 2 km grid square and
    cached: for the square's centre c, the tree finds the N nearest (planar
    distance d), then every facility within d + 2h of c, where h is half the
    square's diagonal. By the triangle inequality that set holds the N nearest of
    every point in the square. A request takes those within the grid's scale
    margin of its own Nth nearest (a handful) and ranks them by
    ``geopy.distance.geodesic``, ties by facility id.
    """

    CELL_METRES = NEAREST_CELL_METRES
    MAX_CELLS = 200_000  # bounded cache: about 20 MB at most

    def __init__(self, facilities: list[Facility]) -> None:
        self.facilities = facilities
        self.east = [f.east for f in facilities]
        self.north = [f.north for f in facilities]
        self.tree = STRtree(shapely.points(np.array(self.east), np.array(self.north)) if facilities else [])
        width = (max(self.east) - min(self.east)) if facilities else 0.0
        height = (max(self.north) - min(self.north)) if facilities else 0.0
        self.span = math.hypot(width, height) + 1.0
        self.spacing = max(math.sqrt(max(width * height, 1.0) / max(len(facilities), 1)), 250.0)
        self.centre = ((min(self.east) + max(self.east)) / 2, (min(self.north) + max(self.north)) / 2) if facilities else (0.0, 0.0)
        self._cells: dict[tuple[int, int, int], list[int]] = {}

    def _within(self, east: float, north: float, radius: float) -> list[tuple[float, int]]:
        """(planar distance, index) of every facility within ``radius`` metres, via the tree."""
        found = self.tree.query(shapely.box(east - radius, north - radius, east + radius, north + radius))
        all_east, all_north = self.east, self.north
        near = ((math.hypot(all_east[i] - east, all_north[i] - north), i) for i in found.tolist())
        return [entry for entry in near if entry[0] <= radius]

    def _nearest_planar(self, east: float, north: float, wanted: int) -> float:
        """Planar distance to the ``wanted``-th nearest facility, widening the search as needed."""
        reach = self.span + math.hypot(east - self.centre[0], north - self.centre[1])
        radius = self.spacing * math.sqrt(wanted)
        while True:
            found = self._within(east, north, radius)
            if len(found) >= wanted or radius >= reach:
                return sorted(found)[wanted - 1][0]
            radius *= 2

    def _candidates(self, key: tuple[int, int, int]) -> list[int]:
        column, row, wanted = key
        east, north = (column + 0.5) * self.CELL_METRES, (row + 0.5) * self.CELL_METRES
        half_diagonal = self.CELL_METRES / math.sqrt(2)
        radius = (self._nearest_planar(east, north, wanted) + half_diagonal) * _PLANAR_MARGIN**2 + half_diagonal + 1.0
        candidates = [index for _, index in self._within(east, north, radius)]
        if len(self._cells) >= self.MAX_CELLS:
            self._cells.clear()
        self._cells[key] = candidates
        return candidates

    def nearest(self, location: Location, count: int) -> tuple[Nearby, ...]:
        wanted = min(count, len(self.facilities))
        if wanted <= 0:
            return ()
        east, north = location.east, location.north
        key = (int(east // self.CELL_METRES), int(north // self.CELL_METRES), wanted)
        candidates = self._cells.get(key) or self._candidates(key)
        all_east, all_north = self.east, self.north
        planar = sorted((math.hypot(all_east[i] - east, all_north[i] - north), i) for i in candidates)
        limit = planar[wanted - 1][0] * _PLANAR_MARGIN**2 + 1.0
        lat, lon, facilities = location.lat, location.lon, self.facilities
        measured = sorted(
            (geopy_metres(lat, lon, facilities[i].lat, facilities[i].lon), facilities[i].id, i)
            for distance, i in planar
            if distance <= limit
        )
        return tuple(Nearby(facilities[i], metres) for metres, _, i in measured[:wanted])


class Places:
    """Loaded geodata and every question the site asks of it."""

    def __init__(self, data: StoredGeodata, *, council: str, warning_metres: int = 100) -> None:
        self.data = data
        self.council = council
        self.warning_metres = min(int(warning_metres), EDGE_CAP_METRES)
        self.layers: list[Layer] = data.layers
        self.categories: list[Category] = data.categories
        self._categories = {category.slug: category for category in data.categories}
        self._facilities = {facility.id: facility for facility in data.facilities}
        self._by_category: dict[str, list[Facility]] = {slug: [] for slug in self._categories}
        for facility in data.facilities:
            self._by_category.setdefault(facility.category, []).append(facility)
        self._category_indexes: dict[str, _CategoryIndex] = {}
        self._stored_nearest: dict[str, tuple[np.ndarray, np.ndarray, int] | None] = {}
        self._area_indexes: dict[str, AreaIndex] = {}
        self._boundary_indexes: dict[str, BoundaryIndex] = {}
        self._geojson: dict[str, bytes] = {}
        self._has_boundary = BOUNDARY in data.layer_by_name
        self._postcode_areas = frozenset(_postcode_area(code) for code in data.outward_codes)
        # Per layer: its areas, and the largest boundary distance that gets a warning (-1: never).
        self._layer_areas = [
            (layer, data.areas[layer.name], self.warning_metres if layer.boundary_warning else -1)
            for layer in self.layers
        ]
        self._boundary_column = (
            [layer.name for layer in self.layers].index(BOUNDARY) if self._has_boundary else None
        )

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, council: str, warning_metres: int = 100) -> Places:
        return cls(StoredGeodata.open(root), council=council, warning_metres=warning_metres)

    # --- what there is -------------------------------------------------------

    def layer(self, name: str) -> Layer:
        try:
            return self.data.layer_by_name[name]
        except KeyError:
            raise UnknownLayer(layer=name) from None

    def areas(self, layer: str) -> list[Area]:
        return self.data.areas[self.layer(layer).name]

    def area(self, layer: str, code: str) -> Area | None:
        return next((area for area in self.areas(layer) if area.code == code), None)

    def category(self, slug: str) -> Category:
        try:
            return self._categories[slug]
        except KeyError:
            raise UnknownCategory(category=slug) from None

    def facilities(self, category: str | None = None) -> list[Facility]:
        if category is None:
            return list(self.data.facilities)
        return list(self._by_category[self.category(category).slug])

    def facility(self, facility_id: str) -> Facility | None:
        return self._facilities.get(facility_id)

    def facility_named(self, name: str) -> Facility | None:
        """The place called ``name`` (ignoring case and spacing), if exactly one has that name: a
        catchment area names its school in words, and the map shows where that school is."""
        wanted = " ".join(name.split()).casefold()
        if not wanted:
            return None
        found = [facility for facility in self.data.facilities if " ".join(facility.name.split()).casefold() == wanted]
        return found[0] if len(found) == 1 else None

    @property
    def postcode_count(self) -> int:
        return len(self.data.keys)

    @property
    def facilities_updated(self) -> date | None:
        """When the list of facilities was last imported (what "Find my nearest" is as of)."""
        stamp = (self.data.manifest.get("facilities") or {}).get("imported_at", "")
        try:
            return datetime.fromisoformat(stamp).date()
        except ValueError:
            return None

    # --- questions ------------------------------------------------------------

    def lookup(self, typed: str | None, category: str | None = None, count: int = 5) -> Answer:
        """Everything for a typed postcode: its areas and, if asked, the nearest of a category.

        Raises NotAPostcode, PostcodeNotFound, PostcodeTerminated or OutsideArea.
        """
        chosen = self.category(category) if category else None
        location, row, area_row = self._find_postcode(typed)
        far = EDGE_FAR
        areas = tuple([  # what _match does, inline: this runs for every layer of every lookup
            AreaMatch(layer, areas[index] if index != NO_AREA else None, None if edge == far else edge, edge <= limit)
            for (layer, areas, limit), index, edge in zip(
                self._layer_areas, area_row, self.data.postcode_edges[row].tolist(), strict=True
            )
        ])
        nearest: tuple[Nearby, ...] | None = ()
        if chosen is not None:
            count = max(int(count), 0)
            nearest = self._stored(chosen.slug, row, count)
            if nearest is None:
                nearest = self.nearest(location, chosen.slug, count)
        return Answer(location, areas, chosen, nearest)

    def answer(self, *, postcode: str | None = None, lat: Any = None, lon: Any = None,
               category: str | None = None, count: int = 5) -> Answer:
        """The answer for what a resident gave: a latitude/longitude wins when either is given.

        "Use my location" fills in both while the postcode box may still hold an
        older postcode, so the position is what the resident asked about last.
        The pages and the API both decide here, and the API documents it.
        """
        if (lat not in (None, "")) or (lon not in (None, "")):
            return self.lookup_point(lat, lon, category, count)
        return self.lookup(postcode, category, count)

    def lookup_point(self, lat: Any, lon: Any, category: str | None = None, count: int = 5) -> Answer:
        """The same answer for a latitude and longitude ("use my location")."""
        chosen = self.category(category) if category else None
        location = self.locate_point(lat, lon)
        east_array, north_array = np.array([location.east]), np.array([location.north])
        matches = []
        for layer in self.layers:
            index = self._area_index(layer.name).assign_point(location.lon, location.lat)
            metres = self._boundary_index(layer.name).distances(east_array, north_array, EDGE_CAP_METRES)[0]
            edge = EDGE_FAR if metres >= EDGE_CAP_METRES else int(round(metres))
            matches.append(self._match(layer, self.data.areas[layer.name], int(index), edge))
        if self._boundary_column is not None and matches[self._boundary_column].area is None:
            raise OutsideArea(place="That location", council=self.council)
        nearest = self.nearest(location, chosen.slug, count) if chosen else ()
        return Answer(location, tuple(matches), chosen, nearest)

    def locate(self, typed: str | None) -> Location:
        """Where a postcode is (with the same errors as ``lookup``)."""
        return self._find_postcode(typed)[0]

    def locate_point(self, lat: Any, lon: Any) -> Location:
        try:
            lat_value, lon_value = float(lat), float(lon)
        except (TypeError, ValueError):
            raise NotALocation() from None
        if not (math.isfinite(lat_value) and math.isfinite(lon_value)):
            raise NotALocation()
        if not (-90 <= lat_value <= 90 and -180 <= lon_value <= 180):
            raise NotALocation()
        east, north = to_grid(np.array([lon_value]), np.array([lat_value]))
        return Location(lat_value, lon_value, float(east[0]), float(north[0]))

    def nearest(self, location: Location, category: str, count: int = 5) -> tuple[Nearby, ...]:
        """The ``count`` nearest facilities of a category, nearest first, geodesic distances.

        For a postcode, a read of what the import stored when it holds that many;
        otherwise found live (see ``_CategoryIndex``).
        """
        slug = self.category(category).slug
        count = max(int(count), 0)
        if location.row is not None:
            stored = self._stored(slug, location.row, count)
            if stored is not None:
                return stored
        index = self._category_indexes.get(slug)
        if index is None:
            index = self._category_indexes[slug] = _CategoryIndex(self._by_category.get(slug, []))
        return index.nearest(location, count)

    def _stored(self, slug: str, row: int, count: int) -> tuple[Nearby, ...] | None:
        """A postcode's ``count`` nearest as the import stored them; None if it did not."""
        stored = self._stored_nearest.get(slug, False)
        if stored is False:
            stored = self._stored_nearest[slug] = self._load_nearest(slug)
        if stored is None or count > stored[2]:
            return None
        found = stored[0][row, :count].tolist()
        if found and found[0] < 0:  # not worked out for this postcode
            return None
        return tuple(map(Nearby, map(self.data.facilities.__getitem__, found), stored[1][row, :count].tolist()))

    def _load_nearest(self, slug: str) -> tuple[np.ndarray, np.ndarray, int] | None:
        """A category's stored lists, and the most a postcode may ask of them (any
        number when the lists hold every facility of the category)."""
        stored = self.data.nearest_lists(slug)
        if stored is None:
            return None
        found, metres = stored
        complete = found.shape[1] >= len(self._by_category.get(slug, []))
        return found, metres, (sys.maxsize if complete else found.shape[1])

    def layer_geojson(self, name: str) -> bytes:
        """One layer as a GeoJSON FeatureCollection (WGS84, RFC 7946), for open data.

        Rings are turned again here so data stored before imports did it is published right too.
        """
        layer = self.layer(name)
        if name not in self._geojson:
            geometries = rfc7946(self.data.geometries(name))
            features = []
            for area, geometry in zip(self.data.areas[name], geometries, strict=True):
                properties = json.dumps({"code": area.code, "name": area.name, **area.properties}, ensure_ascii=False)
                features.append(f'{{"type":"Feature","id":{json.dumps(area.code)},"properties":{properties},'
                                f'"geometry":{shapely.to_geojson(geometry)}}}')
            head = json.dumps({"name": layer.name, "title": layer.title, "edition": layer.edition,
                               "source": layer.source, "licence": layer.licence}, ensure_ascii=False)
            self._geojson[name] = f'{{"type":"FeatureCollection","layer":{head},"features":[{",".join(features)}]}}'.encode()
        return self._geojson[name]

    def geometry(self, layer: str, area: Area) -> shapely.Geometry:
        return self.data.geometries(self.layer(layer).name)[area.index]

    # --- inside ---------------------------------------------------------------

    def _find_postcode(self, typed: str | None) -> tuple[Location, int, list[int]]:
        """Where a postcode is, its row in the stored data and its area in each layer."""
        cleaned = clean(typed)
        postcode = cleaned.postcode
        keys = self.data.keys
        key = postcode.encode("ascii")
        row = int(keys.searchsorted(key))
        if row >= len(keys) or keys[row] != key:
            if self._has_boundary and self._postcode_areas and _postcode_area(postcode) not in self._postcode_areas:
                # We hold every postcode in our area, and none in this postcode area at all
                # (SW1A 1AA for a council whose postcodes are all BK...). A well-formed code
                # in one of our postcode areas that we do not hold (BK01 1AA, BK10 1AA) is
                # more likely a typing slip than a place elsewhere: "we cannot find it".
                raise OutsideArea(place=postcode, council=self.council)
            raise PostcodeNotFound(postcode=postcode)
        withdrawn = int(self.data.withdrawn[row])
        if withdrawn:
            raise PostcodeTerminated(postcode=postcode, withdrawn=_month(withdrawn))
        lon, lat, east, north = self.data.coords[row].tolist()
        location = Location(lat, lon, east, north, postcode, cleaned.typed, cleaned.corrected, row)
        area_row = self.data.postcode_areas[row].tolist()
        if self._boundary_column is not None and area_row[self._boundary_column] == NO_AREA:
            raise OutsideArea(place=postcode, council=self.council)
        return location, row, area_row

    def _match(self, layer: Layer, areas: list[Area], index: int, edge: int) -> AreaMatch:
        area = areas[index] if index != NO_AREA else None
        metres = None if edge == EDGE_FAR else edge
        near = layer.boundary_warning and metres is not None and metres <= self.warning_metres
        return AreaMatch(layer, area, metres, near)

    def _area_index(self, name: str) -> AreaIndex:
        if name not in self._area_indexes:
            codes = [area.code for area in self.data.areas[name]]
            self._area_indexes[name] = AreaIndex(self.data.geometries(name), codes)
        return self._area_indexes[name]

    def _boundary_index(self, name: str) -> BoundaryIndex:
        if name not in self._boundary_indexes:
            self._boundary_indexes[name] = BoundaryIndex(self.data.geometries(name))
        return self._boundary_indexes[name]


def _month(yyyymm: int) -> date | int:
    """A withdrawal month as a date (its first day) for the web layer to put in words
    in the reader's language; the year alone when the month is not known."""
    year, month = divmod(yyyymm, 100)
    return date(year, month, 1) if 1 <= month <= 12 else year


def _postcode_area(postcode: str) -> str:
    """The letters a postcode starts with ("BK" of "BK3 7QD", "SW" of "SW1A 1AA")."""
    end = 0
    while end < len(postcode) and postcode[end].isalpha():
        end += 1
    return postcode[:end]

