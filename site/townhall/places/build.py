"""Write validated postcodes, area layers and facilities into a new generation.

The importers (files people bring), the demo generator and the benchmark all
come through here, so the data the site serves is always built the same way:
each postcode's area in every layer and its distance to each layer's nearest
boundary are worked out once, now, instead of on every request.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

import numpy as np

from .geometry import NEAREST_CELL_METRES, AreaIndex, BoundaryIndex, cell_candidates, cell_key
from .store import (
    BOUNDARY,
    EDGE_CAP_METRES,
    EDGE_FAR,
    KEY_WIDTH,
    Category,
    Facility,
    Generation,
    Layer,
    read_geometries,
    write_array,
    write_json,
    write_geometries,
)


def now_stamp() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def store_postcodes(
    generation: Generation,
    postcodes: Sequence[str] | np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    east: np.ndarray,
    north: np.ndarray,
    withdrawn: np.ndarray | None = None,
    *,
    source: str = "",
    imported_at: str | None = None,
) -> None:
    """Replace every postcode, then work out their areas in every layer already stored."""
    keys = np.asarray(postcodes, dtype=f"S{KEY_WIDTH}")
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    coords = np.column_stack([lon, lat, east, north]).astype(np.float64)[order]
    withdrawn_array = (
        np.zeros(len(keys), dtype=np.uint32)
        if withdrawn is None
        else np.asarray(withdrawn, dtype=np.uint32)[order]
    )
    folder = generation.path / "postcodes"
    write_array(folder / "keys.npy", keys)
    write_array(folder / "coords.npy", coords)
    write_array(folder / "withdrawn.npy", withdrawn_array)
    outward = sorted(code.decode() for code in np.unique(np.char.partition(keys, b" ")[:, 0]))
    generation.manifest["postcodes"] = {
        "count": int(len(keys)),
        "in_use": int(np.count_nonzero(withdrawn_array == 0)),
        "source": source,
        "imported_at": imported_at or now_stamp(),
        "outward_codes": outward,
    }
    generation.remove("postcodes/areas.npy")
    generation.remove("postcodes/edges.npy")
    _store_postcode_matrices(generation)
    store_nearest(generation)


def store_layer(
    generation: Generation,
    layer: Layer,
    codes: Sequence[str],
    names: Sequence[str],
    properties: Sequence[dict[str, Any]],
    geometries: np.ndarray,
    *,
    imported_at: str | None = None,
) -> Layer:
    """Add or replace one area layer, then work out every stored postcode's area in it."""
    stamp = imported_at or now_stamp()
    areas = [
        {"code": code, "name": name, "properties": props}
        for code, name, props in zip(codes, names, properties)
    ]
    write_json(generation.path / "layers" / f"{layer.name}.json", {"areas": areas})
    write_geometries(generation.path, layer.name, geometries)
    stored = Layer.from_dict({**layer.as_dict(), "area_count": len(areas), "imported_at": stamp})
    entries = [entry for entry in generation.manifest["layers"] if entry["name"] != layer.name]
    position = next(
        (i for i, entry in enumerate(generation.manifest["layers"]) if entry["name"] == layer.name),
        len(entries),
    )
    entries.insert(0 if layer.name == BOUNDARY else position, stored.as_dict())
    generation.manifest["layers"] = entries
    if generation.manifest.get("postcodes"):
        column = _postcode_columns(generation, layer.name, geometries, list(codes))
        _store_postcode_matrices(generation, {layer.name: column})
    return stored


def remove_layer(generation: Generation, name: str) -> bool:
    entries = generation.manifest["layers"]
    if not any(entry["name"] == name for entry in entries):
        return False
    generation.manifest["layers"] = [entry for entry in entries if entry["name"] != name]
    for relative in (f"layers/{name}.json", f"layers/{name}.wkb", f"layers/{name}.offsets.npy"):
        generation.remove(relative)
    if generation.manifest.get("postcodes"):
        _store_postcode_matrices(generation)
    return True


def store_facilities(
    generation: Generation,
    categories: Iterable[Category],
    facilities: Iterable[Facility],
    *,
    source: str = "",
    imported_at: str | None = None,
) -> None:
    """Replace every facility and category (facilities are small: plain JSON)."""
    categories = list(categories)
    facilities = list(facilities)
    data = {
        "categories": [{"slug": c.slug, "label": c.label} for c in categories],
        "facilities": [facility.as_dict() for facility in facilities],
    }
    write_json(generation.path / "facilities.json", data)
    generation.manifest["facilities"] = {
        "count": len(facilities),
        "categories": len(categories),
        "source": source,
        "imported_at": imported_at or now_stamp(),
    }
    store_nearest(generation)


# How many nearest facilities are worked out ahead for every square with postcodes in it.
NEAREST_AHEAD = 5


def store_nearest(generation: Generation) -> None:
    """For each category and each 2 km square holding postcodes, the facilities that can
    be among its 5 nearest: a request then measures only those (see cell_candidates)."""
    folder = generation.path / "nearest"
    for old in folder.glob("*.npy") if folder.exists() else []:
        old.unlink()
    generation.manifest.pop("nearest", None)
    facilities_file = generation.path / "facilities.json"
    if not generation.manifest.get("postcodes") or not facilities_file.exists():
        return
    coords = np.load(generation.path / "postcodes" / "coords.npy", mmap_mode="r")
    east, north = np.asarray(coords[:, 2]), np.asarray(coords[:, 3])
    usable = np.isfinite(east) & np.isfinite(north) & (east >= 0) & (north >= 0)
    columns = (east[usable] // NEAREST_CELL_METRES).astype(np.int64)
    rows = (north[usable] // NEAREST_CELL_METRES).astype(np.int64)
    keys, first = np.unique(cell_key(columns, rows), return_index=True)
    columns, rows = columns[first], rows[first]
    data = json.loads(facilities_file.read_text(encoding="utf-8"))
    slugs = []
    for category in data["categories"]:
        members = [f for f in data["facilities"] if f["category"] == category["slug"]]
        if not members:
            continue
        offsets, candidates = cell_candidates(
            np.array([f["east"] for f in members]), np.array([f["north"] for f in members]),
            columns, rows, NEAREST_AHEAD,
        )
        write_array(folder / f"{category['slug']}.cells.npy", keys)
        write_array(folder / f"{category['slug']}.offsets.npy", offsets)
        write_array(folder / f"{category['slug']}.candidates.npy", candidates)
        slugs.append(category["slug"])
    generation.manifest["nearest"] = {"cell_metres": NEAREST_CELL_METRES, "count": NEAREST_AHEAD, "categories": slugs}


def _area_entries(generation: Generation, name: str) -> list[dict[str, Any]]:
    path = generation.path / "layers" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["areas"]


def _postcode_columns(generation: Generation, name: str, geometries: np.ndarray, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each postcode's area in one layer, and metres to that layer's nearest boundary."""
    coords = np.load(generation.path / "postcodes" / "coords.npy")
    areas = AreaIndex(geometries, codes).assign(coords[:, 0], coords[:, 1])
    metres = BoundaryIndex(geometries).distances(coords[:, 2], coords[:, 3], EDGE_CAP_METRES)
    edges = np.where(metres >= EDGE_CAP_METRES, EDGE_FAR, np.rint(metres)).astype(np.uint16)
    return areas, edges


def _store_postcode_matrices(generation: Generation, replace: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
    """Write every postcode's areas and boundary distances as two matrices in layer order.

    One row per postcode, one column per layer: a lookup reads two rows. Columns
    not in ``replace`` are carried over from the generation being updated.
    """
    folder = generation.path / "postcodes"
    names = [entry["name"] for entry in generation.manifest["layers"]]
    previous_names = (generation.manifest.get("postcodes") or {}).get("layers", [])
    count = len(np.load(folder / "keys.npy", mmap_mode="r"))
    old_areas = np.load(folder / "areas.npy") if (folder / "areas.npy").exists() else None
    old_edges = np.load(folder / "edges.npy") if (folder / "edges.npy").exists() else None
    replace = replace or {}
    largest = max((len(_area_entries(generation, name)) for name in names), default=0)
    dtype = np.int16 if largest < np.iinfo(np.int16).max else np.int32
    areas = np.full((count, len(names)), -1, dtype=dtype)
    edges = np.full((count, len(names)), EDGE_FAR, dtype=np.uint16)
    for column, name in enumerate(names):
        if name in replace:
            areas[:, column], edges[:, column] = replace[name]
        elif old_areas is not None and name in previous_names and len(old_areas) == count:
            areas[:, column] = old_areas[:, previous_names.index(name)]
            edges[:, column] = old_edges[:, previous_names.index(name)]
        else:
            codes = [area["code"] for area in _area_entries(generation, name)]
            areas[:, column], edges[:, column] = _postcode_columns(
                generation, name, read_geometries(generation.path, name), codes
            )
    write_array(folder / "areas.npy", areas)
    write_array(folder / "edges.npy", edges)
    generation.manifest["postcodes"]["layers"] = names
