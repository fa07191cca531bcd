"""Geometry shared by the importers and the lookup engine, so both give the same answers.

Coordinates are stored as WGS84 longitude/latitude (what GeoJSON and the postcode
products use). Distances in metres are measured on the British National Grid
(EPSG:27700), whose scale error is under 0.1% across Great Britain, and the
distances people read are geodesic on the WGS84 ellipsoid.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely import STRtree

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"
NO_AREA = -1
METRES_PER_MILE = 1609.344
# Pieces of boundary line are kept short so a distance query only measures nearby edges.
_PIECE_VERTICES = 32
_CHUNK = 250_000


@lru_cache(maxsize=16)
def transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def to_grid(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to British National Grid easting/northing (metres)."""
    east, north = transformer(WGS84, BRITISH_NATIONAL_GRID).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(east), np.asarray(north)


def from_grid(east: np.ndarray, north: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid easting/northing to WGS84 longitude/latitude."""
    lon, lat = transformer(BRITISH_NATIONAL_GRID, WGS84).transform(
        np.asarray(east, dtype=float), np.asarray(north, dtype=float)
    )
    return np.asarray(lon), np.asarray(lat)


def reproject(geometries: np.ndarray, source: str, target: str = WGS84) -> np.ndarray:
    """Reproject Shapely geometries (vectorised over all their coordinates)."""
    move = transformer(source, target)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = move.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, apply)


# PROJ's geodesic on WGS84: Karney's algorithm, the one geopy's ``geodesic`` runs through
# geographiclib, in C and over numpy arrays (the import ranks millions of pairs with it;
# tests check it agrees with geopy to a millimetre).
_GEOD = pyproj.Geod(ellps="WGS84")


_GEOPY = None


def geopy_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """``geopy.distance.geodesic`` between two points, in metres (WGS84).

    One geodesic instance serves every call: constructing one per call rebuilds
    geographiclib's ellipsoid coefficients, which doubles the cost of a distance.
    geopy is imported on first use, so a postcode lookup never loads it.
    """
    global _GEOPY
    if _GEOPY is None:
        from geopy.distance import geodesic

        _GEOPY = geodesic()
    return _GEOPY.measure((lat1, lon1), (lat2, lon2)) * 1000.0


def rfc7946(geometries: Any) -> Any:
    """Exterior rings anticlockwise and holes clockwise, as RFC 7946 (section 3.1.6) says GeoJSON must be.

    Other readers (and some map libraries) use the direction to tell an area from
    a hole, so every layer is turned this way when it is stored and when it is
    published. Works on one geometry or an array; other geometry types pass through.
    """
    return shapely.orient_polygons(geometries, exterior_cw=False)


def repair(geometry: shapely.Geometry) -> tuple[shapely.Geometry, str | None]:
    """Make an area polygon valid, keeping only its polygon parts; say why it needed it."""
    if shapely.is_valid(geometry):
        return geometry, None
    reason = shapely.is_valid_reason(geometry)
    fixed = shapely.make_valid(geometry)
    polygons = [part for part in shapely.get_parts(fixed) if part.geom_type in ("Polygon", "MultiPolygon")]
    parts = [piece for polygon in polygons for piece in shapely.get_parts(polygon)]
    result = shapely.multipolygons(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon())
    return result, reason


class AreaIndex:
    """Point-in-polygon for one layer, with one deterministic answer for every point.

    A point inside an area's interior beats one on an area's edge; among equals
    the area whose code sorts first wins. So a postcode exactly on a shared
    boundary always gets the same area, whatever order the file listed them in.
    """

    def __init__(self, geometries: np.ndarray, codes: list[str]) -> None:
        self.geometries = np.asarray(geometries, dtype=object)
        order = np.argsort(np.asarray(codes, dtype=object), kind="stable")
        self.rank = np.empty(len(codes), dtype=np.int64)
        self.rank[order] = np.arange(len(codes))
        self.tree = STRtree(self.geometries)
        self._prepared = False

    def _prepare(self) -> None:
        if not self._prepared:
            shapely.prepare(self.geometries)
            self._prepared = True

    def assign_point(self, lon: float, lat: float) -> int:
        """One point's area (the same rule as ``assign``, without the cost of arrays)."""
        self._prepare()
        best: tuple[tuple[bool, int], int] | None = None
        for index in self.tree.query(shapely.Point(lon, lat)).tolist():
            geometry = self.geometries[index]
            if not shapely.intersects_xy(geometry, lon, lat):
                continue
            priority = (not shapely.contains_xy(geometry, lon, lat), int(self.rank[index]))
            if best is None or priority < best[0]:
                best = (priority, index)
        return NO_AREA if best is None else best[1]

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The index of each point's area in this layer, or NO_AREA."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        result = np.full(len(lon), NO_AREA, dtype=np.int32)
        if not len(self.geometries):
            return result
        self._prepare()
        for start in range(0, len(lon), _CHUNK):
            x, y = lon[start : start + _CHUNK], lat[start : start + _CHUNK]
            point_index, area_index = self.tree.query(shapely.points(x, y))
            candidates = self.geometries[area_index]
            inside = shapely.intersects_xy(candidates, x[point_index], y[point_index])
            point_index, area_index = point_index[inside], area_index[inside]
            on_edge = ~shapely.contains_xy(candidates[inside], x[point_index], y[point_index])
            priority = on_edge.astype(np.int64) * (len(self.rank) + 1) + self.rank[area_index]
            order = np.lexsort((priority, point_index))
            point_index, area_index = point_index[order], area_index[order]
            _, first = np.unique(point_index, return_index=True)
            result[start + point_index[first]] = area_index[first]
        return result


class BoundaryIndex:
    """Distance in metres from points to the nearest edge of any area in a layer."""

    def __init__(self, geometries: np.ndarray) -> None:
        self.pieces = boundary_pieces(np.asarray(geometries, dtype=object))
        self.tree = STRtree(self.pieces)

    def distances(self, east: np.ndarray, north: np.ndarray, cap: float) -> np.ndarray:
        """Metres to the nearest boundary; ``cap`` where there is none that close."""
        east = np.asarray(east, dtype=float)
        north = np.asarray(north, dtype=float)
        result = np.full(len(east), float(cap))
        if not len(self.pieces):
            return result
        for start in range(0, len(east), _CHUNK):
            points = shapely.points(east[start : start + _CHUNK], north[start : start + _CHUNK])
            (point_index, _), metres = self.tree.query_nearest(
                points, max_distance=cap, return_distance=True
            )
            np.minimum.at(result, start + point_index, metres)
        return result


def boundary_pieces(geometries: np.ndarray) -> np.ndarray:
    """Every ring of every polygon, on the National Grid, cut into short lines."""
    polygons = shapely.get_parts(geometries[~shapely.is_empty(geometries)])
    rings = shapely.get_rings(polygons)
    if not len(rings):
        return np.empty(0, dtype=object)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    east, north = to_grid(coords[:, 0], coords[:, 1])
    grid = np.column_stack([east, north])
    starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    ends = np.r_[starts[1:], len(ring_of)]
    take: list[np.ndarray] = []
    piece_of: list[np.ndarray] = []
    piece = 0
    for first, last in zip(starts, ends, strict=True):
        for begin in range(first, last - 1, _PIECE_VERTICES):
            stop = min(begin + _PIECE_VERTICES + 1, last)
            take.append(np.arange(begin, stop))
            piece_of.append(np.full(stop - begin, piece))
            piece += 1
    return shapely.linestrings(grid[np.concatenate(take)], indices=np.concatenate(piece_of))


# --- nearest facilities ------------------------------------------------------------

NEAREST_CELL_METRES = 2000.0
# Planar distances on the National Grid differ from geodesic ones by its scale
# factor (0.9996 to 1.0007 across Great Britain), almost the same for places a few
# miles apart. Anything this much further than the Nth nearest cannot overtake it.
PLANAR_MARGIN = 1.002


def cell_key(column: int, row: int) -> int:
    """One integer for a grid square (columns and rows of the National Grid are >= 0)."""
    return column * 1_000_000 + row


def cell_candidates(
    facility_east: np.ndarray, facility_north: np.ndarray, columns: np.ndarray, rows: np.ndarray, wanted: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each grid square, every facility that can be among the ``wanted`` nearest of any point in it.

    For the square's centre c the tree finds the planar distance d to the
    ``wanted``-th nearest facility; by the triangle inequality every point in the
    square has its ``wanted`` nearest within d + 2h of c (h: half the diagonal),
    widened by the grid's scale-factor margin. Returns CSR (offsets, indices).
    """
    count = len(facility_east)
    wanted = min(wanted, count)
    squares = len(columns)
    if not squares or not wanted:
        return np.zeros(squares + 1, dtype=np.int64), np.empty(0, dtype=np.int32)
    tree = STRtree(shapely.points(facility_east, facility_north))
    centre_east = (columns + 0.5) * NEAREST_CELL_METRES
    centre_north = (rows + 0.5) * NEAREST_CELL_METRES
    half_diagonal = NEAREST_CELL_METRES / math.sqrt(2)
    width = float(np.ptp(facility_east)) + 1.0
    height = float(np.ptp(facility_north)) + 1.0
    reach = math.hypot(width, height) + float(np.max(np.hypot(centre_east - facility_east.mean(), centre_north - facility_north.mean())))
    radius = np.full(squares, max(math.sqrt(width * height / count), 250.0) * math.sqrt(wanted))
    kth = np.zeros(squares)
    todo = np.arange(squares)
    while len(todo):
        found_square, found_facility, metres = _pairs_within(tree, facility_east, facility_north,
                                                             centre_east[todo], centre_north[todo], radius[todo])
        counts = np.bincount(found_square, minlength=len(todo))
        settled = (counts >= wanted) | (radius[todo] >= reach)
        order = np.lexsort((metres, found_square))
        starts = np.searchsorted(found_square[order], np.arange(len(todo)))
        local = np.flatnonzero(settled & (counts >= wanted))
        kth[todo[local]] = metres[order][starts[local] + wanted - 1]
        todo = todo[~settled]
        radius[todo] *= 2
    limit = (kth + half_diagonal) * PLANAR_MARGIN**2 + half_diagonal + 1.0
    found_square, found_facility, _ = _pairs_within(tree, facility_east, facility_north, centre_east, centre_north, limit)
    order = np.lexsort((found_facility, found_square))
    offsets = np.zeros(squares + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(found_square, minlength=squares))
    return offsets, found_facility[order].astype(np.int32)


def _pairs_within(tree, facility_east, facility_north, east, north, radius):
    boxes = shapely.box(east - radius, north - radius, east + radius, north + radius)
    square, facility = tree.query(boxes)
    metres = np.hypot(facility_east[facility] - east[square], facility_north[facility] - north[square])
    keep = metres <= radius[square]
    return square[keep], facility[keep], metres[keep]


# Pairs (point, candidate facility) measured at once by ``nearest_by_geodesic``: bounds its memory.
_PAIRS_PER_CHUNK = 4_000_000


def nearest_by_geodesic(
    point_lon: np.ndarray,
    point_lat: np.ndarray,
    point_east: np.ndarray,
    point_north: np.ndarray,
    wanted_points: np.ndarray,
    facility_lon: np.ndarray,
    facility_lat: np.ndarray,
    facility_east: np.ndarray,
    facility_north: np.ndarray,
    tie_rank: np.ndarray,
    wanted: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Every point's ``wanted`` nearest facilities by geodesic distance, for many points at once.

    Returns (facility indices, metres), each of shape (points, min(wanted, facilities)),
    nearest first, ties broken by ``tie_rank`` (lower first). Rows for points not in
    ``wanted_points`` (a boolean mask), or off the National Grid, are -1 and NaN.

    Candidates come from the 2 km squares of ``cell_candidates``; for each point only
    those within its ``wanted``-th planar distance times the grid's scale margin can be
    among its nearest, and those are measured on the WGS84 ellipsoid with Karney's
    algorithm (PROJ's geodesic inverse over numpy arrays, what geopy computes one pair
    at a time) and ranked.
    """
    width = min(int(wanted), len(facility_east))
    count = len(point_east)
    indices = np.full((count, width), -1, dtype=np.int32)
    metres = np.full((count, width), np.nan)
    if not width or not count:
        return indices, metres
    point_east = np.asarray(point_east, dtype=float)
    point_north = np.asarray(point_north, dtype=float)
    usable = np.asarray(wanted_points, dtype=bool) & np.isfinite(point_east) & np.isfinite(point_north)
    usable &= (point_east >= 0) & (point_north >= 0) & np.isfinite(point_lon) & np.isfinite(point_lat)
    points = np.flatnonzero(usable)
    if not len(points):
        return indices, metres
    columns = (point_east[points] // NEAREST_CELL_METRES).astype(np.int64)
    rows = (point_north[points] // NEAREST_CELL_METRES).astype(np.int64)
    _, first, square_of = np.unique(cell_key(columns, rows), return_index=True, return_inverse=True)
    square_of = square_of.reshape(-1)
    offsets, candidates = cell_candidates(facility_east, facility_north, columns[first], rows[first], width)
    # Each square's candidates in tie order, so a stable sort by distance breaks ties by rank.
    rank = np.asarray(tie_rank, dtype=np.int64)
    square_of_candidate = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    candidates = candidates[np.lexsort((rank[candidates], square_of_candidate))].astype(np.int64)
    per_point = offsets[square_of + 1] - offsets[square_of]
    # Points with as many candidates as each other go together, as rows of one matrix
    # of about _PAIRS_PER_CHUNK cells (rows are padded to the chunk's longest list).
    by_size = np.argsort(per_point, kind="stable")
    limit_factor = PLANAR_MARGIN**2
    point_lon = np.asarray(point_lon, dtype=float)
    point_lat = np.asarray(point_lat, dtype=float)
    begin = 0
    while begin < len(by_size):
        end = min(begin + _PAIRS_PER_CHUNK // max(int(per_point[by_size[begin]]), 1), len(by_size))
        widest = int(per_point[by_size[end - 1]])
        if widest * (end - begin) > 2 * _PAIRS_PER_CHUNK:
            end = begin + max(_PAIRS_PER_CHUNK // widest, 1)
            widest = int(per_point[by_size[end - 1]])
        chosen = by_size[begin:end]
        chunk = points[chosen]
        columns_used = np.arange(widest)
        valid = columns_used < per_point[chosen][:, None]
        position = np.where(valid, offsets[square_of[chosen]][:, None] + columns_used, 0)
        facility = candidates[position]
        planar = np.hypot(facility_east[facility] - point_east[chunk][:, None],
                          facility_north[facility] - point_north[chunk][:, None])
        planar[~valid] = np.inf
        kth = np.partition(planar, width - 1, axis=1)[:, width - 1]
        keep_row, keep_column = np.nonzero(planar <= kth[:, None] * limit_factor + 1.0)
        measured = np.full(planar.shape, np.inf)
        kept_facility = facility[keep_row, keep_column]
        _, _, distance = _GEOD.inv(point_lon[chunk][keep_row], point_lat[chunk][keep_row],
                                   facility_lon[kept_facility], facility_lat[kept_facility])
        measured[keep_row, keep_column] = distance
        order = np.argsort(measured, axis=1, kind="stable")[:, :width]
        indices[chunk] = np.take_along_axis(facility, order, axis=1)
        metres[chunk] = np.take_along_axis(measured, order, axis=1)
        begin = end
    return indices, metres
