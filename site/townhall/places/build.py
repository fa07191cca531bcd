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

from .geometry import AreaIndex, BoundaryIndex
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
    for entry in generation.manifest["layers"]:
        codes = [area["code"] for area in _area_entries(generation, entry["name"])]
        _store_postcode_columns(generation, entry["name"], read_geometries(generation.path, entry["name"]), codes)


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
        _store_postcode_columns(generation, layer.name, geometries, list(codes))
    return stored


def remove_layer(generation: Generation, name: str) -> bool:
    entries = generation.manifest["layers"]
    if not any(entry["name"] == name for entry in entries):
        return False
    generation.manifest["layers"] = [entry for entry in entries if entry["name"] != name]
    for relative in (
        f"layers/{name}.json",
        f"layers/{name}.wkb",
        f"layers/{name}.offsets.npy",
        f"postcodes/areas-{name}.npy",
        f"postcodes/edge-{name}.npy",
    ):
        generation.remove(relative)
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


def _area_entries(generation: Generation, name: str) -> list[dict[str, Any]]:
    path = generation.path / "layers" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["areas"]


def _store_postcode_columns(
    generation: Generation, name: str, geometries: np.ndarray, codes: list[str]
) -> None:
    coords = np.load(generation.path / "postcodes" / "coords.npy")
    areas = AreaIndex(geometries, codes).assign(coords[:, 0], coords[:, 1])
    metres = BoundaryIndex(geometries).distances(coords[:, 2], coords[:, 3], EDGE_CAP_METRES)
    edges = np.where(metres >= EDGE_CAP_METRES, EDGE_FAR, np.rint(metres)).astype(np.uint16)
    dtype = np.int16 if len(codes) < np.iinfo(np.int16).max else np.int32
    write_array(generation.path / "postcodes" / f"areas-{name}.npy", areas.astype(dtype))
    write_array(generation.path / "postcodes" / f"edge-{name}.npy", edges)
