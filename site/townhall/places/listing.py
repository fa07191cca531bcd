"""What the places data holds, for other capabilities to list (site search indexes it).

A small public door into the current geodata generation, so callers never
reach into ``store``: the facilities and their categories, the wards, and for
each facility a postcode from which "Find my nearest" lists it first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .engine import Places
from .errors import PlacesError
from .store import Area, Category, Facility, GeodataFolder

WARD_LAYER = "wards"  # the layer the ward pages (/wards/<code>) show


@dataclass(frozen=True)
class PlacesListing:
    generation: str  # changes whenever an import changes the data
    categories: tuple[Category, ...]
    facilities: tuple[Facility, ...]
    wards: tuple[Area, ...]
    # facility id -> a postcode we hold that finds it (its own); missing when its postcode is not in our data
    postcodes: dict[str, str] = field(default_factory=dict)


def current_generation(root: str | os.PathLike[str]) -> str | None:
    """The name of the geodata generation in use (cheap: one small file), or None when there is none."""
    current = GeodataFolder(root).current
    return current.name if current else None


def listing(root: str | os.PathLike[str]) -> PlacesListing | None:
    """Everything a list of places needs from the current generation, or None when there is no geodata."""
    current = GeodataFolder(root).current
    if current is None:
        return None
    try:
        places = Places.open(root, council="")
    except PlacesError:
        return None
    postcodes = {}
    for facility in places.facilities():
        if not facility.postcode:
            continue
        try:
            postcodes[facility.id] = places.locate(facility.postcode).postcode
        except PlacesError:
            continue
    wards = places.areas(WARD_LAYER) if any(layer.name == WARD_LAYER for layer in places.layers) else []
    return PlacesListing(current.name, tuple(places.categories), tuple(places.facilities()), tuple(wards), postcodes)
