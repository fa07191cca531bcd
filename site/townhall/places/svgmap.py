"""A small map drawn on the server: areas as SVG paths, places as numbered markers.

The map only illustrates an answer that the page also gives in words and
tables. Shapes are projected to the National Grid (so they are not stretched),
fitted to a fixed view box with north up, and simplified to what the view box
can show, which keeps a catchment map to a few kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .geometry import BRITISH_NATIONAL_GRID, WGS84, reproject, to_grid

WIDTH = 600.0


@dataclass(frozen=True)
class MapArea:
    path: str
    role: str  # "context" (the council), "neighbour", "highlight"
    name: str
    # Whether the area's own edge crosses the map. A map zoomed into one ward shows the district
    # only as a background that fills the frame: its edge is not on the map, so the key must not
    # say "the dashed line is the district boundary".
    outlined: bool = True


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str  # a number matching the list, or "" for "you are here" and the school
    role: str  # "you", "place" (numbered, as in the list) or "school" (the school a catchment area serves)
    name: str


@dataclass
class MapDrawing:
    width: float
    height: float
    areas: list[MapArea] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    scale_metres: int = 0  # length the scale bar stands for
    scale_length: float = 0.0  # its length in view-box units

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"

    @property
    def drawn(self) -> frozenset[str]:
        """The roles of what is really on the map ("context", "highlight", "you", "place", "school"),
        so its key lists only those. An area whose edge is off the map is not drawn as an outline."""
        return frozenset([area.role for area in self.areas if area.outlined] + [point.role for point in self.points])

    def names(self, role: str) -> list[str]:
        """The names of the shapes or points drawn in one role (for the key)."""
        return [item.name for item in [*self.areas, *self.points] if item.role == role]


def draw(
    areas: list[tuple[shapely.Geometry, str, str]],
    points: list[tuple[float, float, str, str, str]],
    *,
    focus: list[shapely.Geometry] | None = None,
    padding: float = 0.08,
) -> MapDrawing:
    """Fit ``focus`` (or everything) into the view box.

    areas: (WGS84 geometry, role, name); points: (lat, lon, label, role, name).
    """
    grid_areas = reproject(np.array([a[0] for a in areas], dtype=object), WGS84, BRITISH_NATIONAL_GRID) if areas else []
    lats = np.array([p[0] for p in points], dtype=float)
    lons = np.array([p[1] for p in points], dtype=float)
    east, north = to_grid(lons, lats) if len(points) else (np.array([]), np.array([]))
    if focus:
        frame = shapely.union_all(reproject(np.array(focus, dtype=object), WGS84, BRITISH_NATIONAL_GRID)).bounds
    else:
        frame = shapely.union_all(list(grid_areas)).bounds if len(grid_areas) else (0, 0, 1, 1)
    minx, miny, maxx, maxy = frame
    if len(points):
        minx, maxx = min(minx, east.min()), max(maxx, east.max())
        miny, maxy = min(miny, north.min()), max(maxy, north.max())
    span = max(maxx - minx, maxy - miny, 400.0)
    pad = span * padding
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    width_m, height_m = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = WIDTH / width_m
    height = min(max(height_m * scale, 240.0), 900.0)
    scale = min(scale, height / height_m)
    offset_x = (WIDTH - width_m * scale) / 2
    offset_y = (height - height_m * scale) / 2

    def x_of(e: float) -> float:
        return offset_x + (e - minx) * scale

    def y_of(n: float) -> float:
        return offset_y + (maxy - n) * scale

    drawing = MapDrawing(WIDTH, round(height))
    view = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    # What the reader sees: the view box itself (the drawing is centred in it).
    seen = shapely.box(minx - offset_x / scale, maxy - height / scale + offset_y / scale,
                       minx + (WIDTH - offset_x) / scale, maxy + offset_y / scale)
    for geometry, (_, role, name) in zip(grid_areas, areas, strict=True):
        simple = shapely.simplify(geometry, 1.0 / scale)
        path = _path(shapely.intersection(simple, view), x_of, y_of)
        if path:
            drawing.areas.append(MapArea(path, role, name, outlined=bool(shapely.intersects(simple.boundary, seen))))
    for e, n, (_, _, label, role, name) in zip(east, north, points, strict=True):
        drawing.points.append(MapPoint(round(float(x_of(e)), 1), round(float(y_of(n)), 1), label, role, name))
    nice = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
    target = width_m / 4
    drawing.scale_metres = max((value for value in nice if value <= target), default=nice[0])
    drawing.scale_length = round(drawing.scale_metres * scale, 1)
    return drawing


def _path(geometry: shapely.Geometry, x_of, y_of) -> str:
    parts = []
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)
            if len(coords) < 4:
                continue
            points = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in coords[:-1])
            parts.append(f"M{points}Z")
    return " ".join(parts)
