"""Write validated postcodes, area layers and facilities into a new generation.

The importers (files people bring), the demo generator and the benchmark all
come through here, so the data the site serves is always built the same way:
each postcode's area in every layer, its distance to each layer's nearest
boundary and its nearest facilities of every category are worked out once, now,
instead of on every request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .geometry import AreaIndex, BoundaryIndex, nearest_by_geodesic
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
    write_geometries,
    write_json,
)


def now_stamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


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
    nearest_count: int | None = None,
) -> None:
    """Replace every postcode, then work out their areas in every layer already stored
    and their nearest facilities of every category."""
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
    store_nearest(generation, nearest_count)


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
        for code, name, props in zip(codes, names, properties, strict=True)
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
    nearest_count: int | None = None,
) -> None:
    """Replace every facility and category (facilities are small: plain JSON), then work
    out every postcode's nearest of each category again."""
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
    store_nearest(generation, nearest_count)


# How many nearest facilities of each category are stored for every postcode, unless an
# import asks for another number (the site's TOWNHALL_NEAREST_PRECOMPUTED setting).
NEAREST_PRECOMPUTED = 10


def store_nearest(generation: Generation, count: int | None = None) -> None:
    """For every postcode in use, its ``count`` nearest facilities of each category, with distances.

    Ranked by geodesic distance on the WGS84 ellipsoid, nearest first, ties by facility
    id; worked out for all postcodes at once (see ``geometry.nearest_by_geodesic``), so
    a postcode's answer is a read of two rows. Called whenever postcodes or facilities
    change. ``count`` defaults to the generation's current setting.
    """
    folder = generation.path / "nearest"
    for old in folder.glob("*.npy") if folder.exists() else []:
        old.unlink()
    previous = generation.manifest.pop("nearest", None) or {}
    if "widths" not in previous:  # a generation from before the lists were stored per postcode
        previous = {}
    count = int(count or previous.get("count") or NEAREST_PRECOMPUTED)
    if count < 1:
        raise ValueError("the number of nearest facilities to store must be at least 1")
    generation.manifest["nearest"] = {"count": count, "widths": {}}
    facilities_file = generation.path / "facilities.json"
    if not generation.manifest.get("postcodes") or not facilities_file.exists():
        return
    coords = np.load(generation.path / "postcodes" / "coords.npy")
    in_use = np.load(generation.path / "postcodes" / "withdrawn.npy") == 0
    data = json.loads(facilities_file.read_text(encoding="utf-8"))
    everything = data["facilities"]
    tie_rank = np.empty(len(everything), dtype=np.int64)
    tie_rank[np.argsort(np.array([f["id"] for f in everything], dtype=object), kind="stable")] = np.arange(len(everything))
    index_type = np.int16 if len(everything) <= np.iinfo(np.int16).max else np.int32
    widths = {}
    for category in data["categories"]:
        members = np.array([i for i, f in enumerate(everything) if f["category"] == category["slug"]], dtype=np.int64)
        if not len(members):
            continue
        found, metres = nearest_by_geodesic(
            coords[:, 0], coords[:, 1], coords[:, 2], coords[:, 3], in_use,
            *(np.array([everything[i][key] for i in members], dtype=float) for key in ("lon", "lat", "east", "north")),
            tie_rank[members], count,
        )
        found = np.where(found >= 0, members[np.maximum(found, 0)], -1).astype(index_type)
        write_array(folder / f"{category['slug']}.facilities.npy", found)
        write_array(folder / f"{category['slug']}.metres.npy", metres.astype(np.float32))
        widths[category["slug"]] = int(found.shape[1])
    generation.manifest["nearest"]["widths"] = widths


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
