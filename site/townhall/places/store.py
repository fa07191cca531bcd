"""The geodata folder: what the importers write and the site loads, in a form that starts fast.

Layout (``TOWNHALL_GEODATA``, default ``geodata/``)::

    CURRENT                  name of the generation in use (replaced atomically)
    g-<hash>/                one complete, immutable generation
      manifest.json          layers in display order with their metadata, counts, sources
      postcodes/keys.npy     sorted standard-form postcodes, fixed width (binary search)
      postcodes/coords.npy   longitude, latitude, easting, northing per postcode
      postcodes/withdrawn.npy   YYYYMM a postcode was withdrawn, 0 while in use
      postcodes/areas.npy    per postcode (row) and layer (column): index of its area, -1 for none
      postcodes/edges.npy    per postcode and layer: metres to the layer's nearest boundary (capped)
      layers/<layer>.json    each area's code, name and properties
      layers/<layer>.wkb     the areas' polygons (WKB, WGS84) + <layer>.offsets.npy
      facilities.json        facilities and their categories
      nearest/<category>.facilities.npy  per postcode (row): its K nearest facilities of the
                             category, nearest first (index into facilities.json; int16, or
                             int32 past 32,767 facilities); -1 where not worked out
                             (withdrawn, or no grid position)
      nearest/<category>.metres.npy      the same rows: geodesic metres (float32)

An import builds a new generation beside the old one (unchanged files are hard
links) and only then points CURRENT at it, so a failed or interrupted import
leaves the data the site is serving untouched. Per-postcode answers are worked
out at import time, so a postcode lookup is a binary search and a few reads
(K is min(TOWNHALL_NEAREST_PRECOMPUTED, the category's size): manifest "nearest").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .. import hours as hours_module
from ..generations import VersionedFolder
from .errors import GeodataMissing
from .geometry import rfc7946

FORMAT = 1
KEY_WIDTH = 8  # "SW1A 1AA"
EDGE_CAP_METRES = 5000  # boundary distances are stored up to this; further is "far"
EDGE_FAR = np.iinfo(np.uint16).max
LAYER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
BOUNDARY = "boundary"


@dataclass(frozen=True, slots=True)
class Area:
    index: int
    code: str
    name: str
    properties: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Layer:
    """One set of areas, with what a reader needs to trust the answer (its edition)."""

    name: str
    title: str
    edition: str = ""  # e.g. "catchment areas for 2026/27 entry"
    kind: str = "other"  # boundary, catchment, ward, parish, collection, other
    description: str = ""
    confirm: str = ""  # how to confirm with a full address when near a boundary
    source: str = ""
    licence: str = ""
    boundary_warning: bool = True
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    area_count: int = 0
    imported_at: str = ""

    def text(self, key: str, language: str = "en") -> str:
        """A metadata text in the reader's language where the data provides one."""
        return self.translations.get(language, {}).get(key) or getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "edition": self.edition,
            "kind": self.kind,
            "description": self.description,
            "confirm": self.confirm,
            "source": self.source,
            "licence": self.licence,
            "boundary_warning": self.boundary_warning,
            "translations": self.translations,
            "area_count": self.area_count,
            "imported_at": self.imported_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layer:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    label: str


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    category: str
    lat: float
    lon: float
    east: float
    north: float
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    accessibility: str = ""
    description: str = ""

    @cached_property
    def hours(self) -> hours_module.OpeningHours | None:
        return hours_module.parse_hours(self.opening_hours) if self.opening_hours else None

    def as_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
        }


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file as a new inode: files in a generation may be hard links to the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_json(path: Path, data: Any) -> None:
    write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def write_array(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
    os.replace(temporary, path)


def write_geometries(folder: Path, name: str, geometries: np.ndarray) -> None:
    """Store a layer's polygons, turned the RFC 7946 way so every import path publishes them right."""
    blobs = shapely.to_wkb(rfc7946(np.asarray(geometries, dtype=object)), byte_order=1)
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(blob) for blob in blobs])
    write_bytes(folder / "layers" / f"{name}.wkb", b"".join(blobs))
    write_array(folder / "layers" / f"{name}.offsets.npy", offsets)


def read_geometries(folder: Path, name: str) -> np.ndarray:
    data = (folder / "layers" / f"{name}.wkb").read_bytes()
    offsets = np.load(folder / "layers" / f"{name}.offsets.npy")
    blobs = np.array([data[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)], dtype=object)
    return shapely.from_wkb(blobs) if len(blobs) else np.empty(0, dtype=object)


class Generation:
    """A generation folder being built: starts as a copy (hard links) of the current one."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    def remove(self, relative: str) -> None:
        target = self.path / relative
        if target.exists():
            target.unlink()


class GeodataFolder:
    """The folder named by TOWNHALL_GEODATA, with atomic generation swaps (see ``generations.py``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.generations = VersionedFolder(self.root, prefix="g-")

    @property
    def current(self) -> Path | None:
        current = self.generations.current()
        return current if current is not None and (current / "manifest.json").is_file() else None

    def stamp(self) -> str | None:
        """Changes whenever an import makes a new generation current: readers reopen then."""
        return self.generations.stamp()

    def manifest(self) -> dict[str, Any]:
        current = self.current
        if current is None:
            return empty_manifest()
        return json.loads((current / "manifest.json").read_text(encoding="utf-8"))

    @contextmanager
    def update(self, keep: int = 2) -> Iterator[Generation]:
        """Build a new generation; on success make it current, on any error throw it away."""
        with self.generations.lock(), self.generations.building() as building:
            current = self.current
            if current is not None:
                _link_tree(current, building)
            generation = Generation(building, self.manifest())
            yield generation
            write_json(building / "manifest.json", generation.manifest)
            self.generations.publish(building, "g-" + _digest(building), keep=keep)


def empty_manifest() -> dict[str, Any]:
    return {"format": FORMAT, "postcodes": None, "layers": [], "facilities": None}


def _link_tree(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_dir() or path.name == "manifest.json":
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def _plain(array: np.ndarray) -> np.ndarray:
    """A memory-mapped array as a plain ndarray view: same pages, cheaper indexing."""
    return array.view(np.ndarray) if isinstance(array, np.memmap) else array


class StoredGeodata:
    """One generation, opened read-only. Arrays are memory-mapped; polygons load on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        self.layers = [Layer.from_dict(entry) for entry in self.manifest.get("layers", [])]
        self.layer_by_name = {layer.name: layer for layer in self.layers}
        self.areas: dict[str, list[Area]] = {}
        for layer in self.layers:
            entries = json.loads((path / "layers" / f"{layer.name}.json").read_text(encoding="utf-8"))
            self.areas[layer.name] = [
                Area(index, entry["code"], entry["name"], entry.get("properties") or {})
                for index, entry in enumerate(entries["areas"])
            ]
        postcodes = self.manifest.get("postcodes")
        self.has_postcodes = bool(postcodes)
        if self.has_postcodes:
            folder = path / "postcodes"
            self.keys = _plain(np.load(folder / "keys.npy", mmap_mode="r"))
            self.coords = _plain(np.load(folder / "coords.npy", mmap_mode="r"))
            self.withdrawn = _plain(np.load(folder / "withdrawn.npy", mmap_mode="r"))
            self.outward_codes = frozenset(postcodes.get("outward_codes", []))
            if postcodes.get("layers", []) != [layer.name for layer in self.layers]:
                raise ValueError(f"{path}: the postcode areas do not match the layers")
            self.postcode_areas = _plain(np.load(folder / "areas.npy", mmap_mode="r"))
            self.postcode_edges = _plain(np.load(folder / "edges.npy", mmap_mode="r"))
        else:
            self.keys = np.empty(0, dtype=f"S{KEY_WIDTH}")
            self.coords = np.empty((0, 4))
            self.withdrawn = np.empty(0, dtype=np.uint32)
            self.outward_codes = frozenset()
            self.postcode_areas = np.empty((0, len(self.layers)), dtype=np.int16)
            self.postcode_edges = np.empty((0, len(self.layers)), dtype=np.uint16)
        facilities = {"categories": [], "facilities": []}
        if (path / "facilities.json").is_file():
            facilities = json.loads((path / "facilities.json").read_text(encoding="utf-8"))
        self.categories = [Category(entry["slug"], entry["label"]) for entry in facilities["categories"]]
        self.facilities = [Facility(**entry) for entry in facilities["facilities"]]
        self._geometries: dict[str, np.ndarray] = {}
        nearest = self.manifest.get("nearest") or {}
        self._nearest_widths: dict[str, int] = nearest.get("widths", {}) if self.has_postcodes else {}

    def nearest_lists(self, category: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Every postcode's nearest facilities of a category and their distances, as the
        import stored them: (facility indices, metres), one row per postcode, or None."""
        if category not in self._nearest_widths:
            return None
        folder = self.path / "nearest"
        found = _plain(np.load(folder / f"{category}.facilities.npy", mmap_mode="r"))
        metres = _plain(np.load(folder / f"{category}.metres.npy", mmap_mode="r"))
        if found.shape != (len(self.keys), self._nearest_widths[category]) or metres.shape != found.shape:
            raise ValueError(f"{self.path}: the nearest {category} do not match the postcodes")
        return found, metres

    @classmethod
    def open(cls, root: str | os.PathLike[str]) -> StoredGeodata:
        current = GeodataFolder(root).current
        if current is None:
            raise GeodataMissing()
        return cls(current)

    def geometries(self, layer: str) -> np.ndarray:
        if layer not in self._geometries:
            self._geometries[layer] = read_geometries(self.path, layer)
        return self._geometries[layer]
