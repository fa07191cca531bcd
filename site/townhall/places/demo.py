"""The demo council's geodata, made up deterministically (the same files every run).

Brackenford District Council is fictional: its postcodes (area BK, which Royal
Mail does not use) are generated in the real format around invented towns, its
areas come from Voronoi tessellations clipped to an invented boundary, and its
facilities have invented names, Ofcom drama-range phone numbers (01632 960xxx)
and ``.example`` addresses. The generator writes ordinary open-data files (an
ONSPD-style postcode CSV, GeoJSON layers, a facilities CSV) and imports them
with the same importers a council would use, so the demo exercises them too.
"""

from __future__ import annotations

import csv
import json
import math
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .geometry import BRITISH_NATIONAL_GRID, WGS84, from_grid, reproject, rfc7946, to_grid
from .importers import ImportReport, import_areas, import_facilities, import_postcodes
from .store import GeodataFolder

SEED = 2026
# Somewhere in the English Midlands: the council is invented, so is everything in it.
CENTRE_LAT, CENTRE_LON = 52.205, -1.105
COUNCIL = "Brackenford District Council"
DEMO_STAMP = "2026-04-01T00:00:00+00:00"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Town:
    name: str
    dx: float  # metres east of Brackenford
    dy: float  # metres north
    weight: float
    districts: tuple[str, ...]


TOWNS = (
    Town("Brackenford", 0, 0, 5.0, ("BK1", "BK2", "BK3")),
    Town("Ashcombe", -6200, 3400, 2.0, ("BK4",)),
    Town("Millbrook", 5600, 4300, 2.0, ("BK5",)),
    Town("Kingsford Green", -4300, -5600, 1.5, ("BK6",)),
    Town("Hartley Cross", 6600, -3600, 1.5, ("BK7",)),
    Town("Wychwood Vale", -8600, -900, 1.0, ("BK8",)),
    Town("Fenwick", 1800, 8200, 1.0, ("BK2",)),
    Town("Oakhurst", 1200, -8400, 1.0, ("BK3",)),
)
STREETS = (
    "High Street", "Church Lane", "Station Road", "Mill Lane", "The Green", "Bridge Street",
    "Park Road", "Victoria Road", "School Lane", "Queen Street", "Meadow Way", "Orchard Close",
    "Chapel Street", "London Road", "Brook Lane", "North Street", "Elm Grove", "Westfield Road",
)
FIRST_NAMES = (
    "Amira", "Bethan", "Callum", "Deepa", "Eleanor", "Femi", "Gareth", "Hannah", "Imran", "Joanna",
    "Kwame", "Lucy", "Mohammed", "Niamh", "Owen", "Priya", "Rhys", "Sophie", "Tomasz", "Yasmin",
)
SURNAMES = (
    "Ashworth", "Begum", "Carter", "Davies", "Evans", "Fletcher", "Goodwin", "Hughes", "Iqbal",
    "Jones", "Kowalski", "Lloyd", "Mensah", "Nowak", "Okafor", "Patel", "Quinn", "Roberts",
    "Shah", "Thompson", "Walsh", "Young",
)
ACCESSIBILITY = (
    "Step-free entrance from the car park. Accessible toilet. Hearing loop at the front desk.",
    "Level access throughout. Two Blue Badge parking bays at the entrance. Assistance dogs welcome.",
    "Ramp at the side entrance (ring the bell for help). Accessible toilet on the ground floor.",
    "Ground floor is step-free; the first floor has a lift. Quiet room available on request.",
    "Step-free access. Large-print and audio guides at reception. Changing Places toilet.",
    "The main hall is step-free; the garden has a gravel path. Accessible toilet.",
)
HOURS = {
    "council-offices": "Monday to Friday 8:30am to 5pm; Saturday and Sunday closed",
    "libraries": (
        "Monday, Tuesday, Thursday and Friday 9:30am to 5:30pm; Wednesday 9:30am to 7pm; "
        "Saturday 9:30am to 1pm; Sunday closed"
    ),
    "recycling-centres": "Every day 8am to 4pm",
    "childrens-centres": "Monday to Friday 9am to 4:30pm; Saturday and Sunday closed",
    "leisure-centres": "Monday to Friday 6:30am to 10pm; Saturday and Sunday 8am to 6pm",
    "primary-schools": "Monday to Friday 8:30am to 3:30pm",
    "secondary-schools": "Monday to Friday 8:15am to 3:45pm",
    "parks": "Every day 7:30am to 8pm",
}
CLUBS = (
    ("Brackenford Camera Club", "Tuesdays 7pm to 9:30pm"),
    ("Brackenford Community Choir", "Wednesdays 7:30pm to 9pm"),
    ("Brackenford Chess Club", "Thursdays 6:30pm to 10pm"),
    ("Brackenford Men's Shed", "Monday and Friday 10am to 3pm"),
    ("Brackenford Repair Café", "Saturday 10am to 1pm"),
    ("Brackenford Memory Café", "Tuesdays 2pm to 4pm"),
    ("Ashcombe Walking Football", "Mondays 10am to 11:30am"),
    ("Ashcombe Knit and Natter", "Thursdays 1:30pm to 3:30pm"),
    ("Ashcombe Amateur Dramatic Society", "Wednesdays 7pm to 9:30pm"),
    ("Millbrook Local History Society", "Second floor room, Mondays 7pm to 9pm"),
    ("Millbrook Allotment Association", "Saturday and Sunday 9am to 12pm"),
    ("Millbrook Gardening Club", "Fridays 2pm to 4pm"),
    ("Kingsford Green Youth Club", "Monday to Thursday 6pm to 8:30pm"),
    ("Kingsford Green Bowls Club", "Every day 10am to 6pm"),
    ("Kingsford Green Singing for the Brain", "Fridays 10:30am to 12pm"),
    ("Hartley Cross Cycling Club", "Sundays 8:30am to 12pm"),
    ("Hartley Cross Women's Institute", "Tuesdays 7pm to 9pm"),
    ("Hartley Cross Table Tennis Club", "Wednesdays 6pm to 9pm"),
    ("Wychwood Vale Ramblers", "Saturdays 9am to 1pm"),
    ("Wychwood Vale Book Group", "Thursdays 7pm to 8:30pm"),
    ("Fenwick Parent and Toddler Group", "Tuesday and Thursday 9:30am to 11:30am"),
    ("Fenwick Film Society", "Fridays 7pm to 10pm"),
    ("Oakhurst Scouts and Guides", "Mondays 6:30pm to 8:30pm"),
    ("Oakhurst Tai Chi for Health", "Wednesdays 10am to 11am"),
    ("Oakhurst Bridge Club", "Mondays and Thursdays 1pm to 4:30pm"),
    ("Brackenford Deaf Social Club", "Saturdays 11am to 2pm"),
)
CATCHMENT_CONFIRM = ("To check the catchment area for your full address, contact School Admissions on "
                     "01632 960300 or admissions@brackenford.example before you apply.")
CATCHMENT_CONFIRM_CY = ("I wirio'r dalgylch ar gyfer eich cyfeiriad llawn, cysylltwch â Derbyniadau Ysgol ar "
                        "01632 960300 neu admissions@brackenford.example cyn i chi wneud cais.")
LAYERS: dict[str, dict[str, Any]] = {
    "boundary": {
        "title": "Brackenford District Council area", "kind": "boundary",
        "edition": "council boundary from 1 April 2024",
        "confirm": "If you live near the edge of the district, check a recent council tax bill: it names your council.",
        "translations": {"cy": {"title": "Ardal Cyngor Dosbarth Brackenford",
                                "edition": "ffin y cyngor o 1 Ebrill 2024",
                                "confirm": "Os ydych chi'n byw ger ymyl y dosbarth, edrychwch ar fil treth gyngor "
                                           "diweddar: mae'n enwi eich cyngor."}},
    },
    "wards": {
        "title": "Council wards", "kind": "ward",
        "edition": "wards used since the May 2023 elections",
        "confirm": "To check your ward with your full address, contact Electoral Services on 01632 960020 "
                   "or elections@brackenford.example.",
        "translations": {"cy": {"title": "Wardiau'r cyngor",
                                "edition": "wardiau a ddefnyddiwyd ers etholiadau Mai 2023",
                                "confirm": "I wirio eich ward gyda'ch cyfeiriad llawn, cysylltwch â'r Gwasanaethau "
                                           "Etholiadol ar 01632 960020 neu elections@brackenford.example."}},
    },
    "primary-catchments": {
        "title": "Primary school catchment areas", "kind": "catchment",
        "edition": "catchment areas for 2026/27 entry",
        "confirm": CATCHMENT_CONFIRM,
        "translations": {"cy": {"title": "Dalgylchoedd ysgolion cynradd",
                                "edition": "dalgylchoedd ar gyfer mynediad 2026/27",
                                "confirm": CATCHMENT_CONFIRM_CY}},
    },
    "secondary-catchments": {
        "title": "Secondary school catchment areas", "kind": "catchment",
        "edition": "catchment areas for 2026/27 entry",
        "confirm": CATCHMENT_CONFIRM,
        "translations": {"cy": {"title": "Dalgylchoedd ysgolion uwchradd",
                                "edition": "dalgylchoedd ar gyfer mynediad 2026/27",
                                "confirm": CATCHMENT_CONFIRM_CY}},
    },
    "bin-rounds": {
        "title": "Bin collection rounds", "kind": "collection",
        "edition": "collection rounds from 6 April 2026",
        "confirm": "Near the edge of a round, your day can differ from your neighbours'. "
                   "Phone Waste Services on 01632 960400 to check your address.",
        "translations": {"cy": {"title": "Rowndiau casglu biniau",
                                "edition": "rowndiau casglu o 6 Ebrill 2026",
                                "confirm": "Ger ymyl rownd, gall eich diwrnod fod yn wahanol i ddiwrnod eich "
                                           "cymdogion. Ffoniwch y Gwasanaethau Gwastraff ar 01632 960400 i wirio "
                                           "eich cyfeiriad."}},
    },
    "parishes": {
        "title": "Parish and town councils", "kind": "parish",
        "edition": "parish boundaries from 1 April 2024",
        "confirm": "To check your parish with your full address, contact Electoral Services on 01632 960020.",
        "boundary_warning": True,
        "translations": {"cy": {"title": "Cynghorau plwyf a thref",
                                "edition": "ffiniau plwyf o 1 Ebrill 2024",
                                "confirm": "I wirio eich plwyf gyda'ch cyfeiriad llawn, cysylltwch â'r Gwasanaethau "
                                           "Etholiadol ar 01632 960020."}},
    },
}


class _Demo:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        east, north = to_grid(np.array([CENTRE_LON]), np.array([CENTRE_LAT]))
        self.e0, self.n0 = round(float(east[0])), round(float(north[0]))
        self.boundary = self._boundary()
        self.phone = 960100
        self.postcodes: list[dict[str, Any]] = []

    # geometry on the National Grid, in metres
    def _boundary(self) -> shapely.Polygon:
        phases = [self.rng.uniform(0, 2 * math.pi) for _ in range(3)]
        points = []
        for step in range(240):
            angle = 2 * math.pi * step / 240
            radius = 11_500 * (1 + 0.10 * math.sin(2 * angle + phases[0])
                               + 0.07 * math.sin(3 * angle + phases[1])
                               + 0.04 * math.sin(7 * angle + phases[2]))
            points.append((self.e0 + radius * math.cos(angle), self.n0 + radius * math.sin(angle) * 0.85))
        return shapely.Polygon(points)

    def town_point(self, town: Town) -> tuple[float, float]:
        return self.e0 + town.dx, self.n0 + town.dy

    def scatter(self, centre: tuple[float, float], sigma: float, inside: bool = True) -> tuple[float, float]:
        while True:
            point = (centre[0] + self.rng.gauss(0, sigma), centre[1] + self.rng.gauss(0, sigma))
            if not inside or self.boundary.contains(shapely.Point(point)):
                return round(point[0]), round(point[1])

    def tessellate(self, seeds: list[tuple[float, float]]) -> list[shapely.Geometry]:
        cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=self.boundary.buffer(5000))
        ordered = []
        for seed in seeds:
            cell = next(c for c in cells.geoms if c.contains(shapely.Point(seed)))
            ordered.append(shapely.intersection(cell, self.boundary))
        return ordered

    # postcodes
    def make_postcodes(self) -> None:
        total = 2_300
        weights = sum(town.weight for town in TOWNS)
        used: dict[str, set[str]] = {}
        points: list[tuple[str, float, float]] = []
        self.postcodes.append(self._unit("BK1", "1AA", self.e0 + 35, self.n0 - 20, used))
        for town in TOWNS:
            count = round(total * 0.88 * town.weight / weights)
            for _ in range(count):
                east, north = self.scatter(self.town_point(town), 700 * math.sqrt(town.weight))
                district = town.districts[0] if len(town.districts) == 1 else self._brackenford_district(east, north)
                points.append((district, east, north))
        minx, miny, maxx, maxy = self.boundary.bounds
        while len(points) < total - 40:
            east, north = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if self.boundary.contains(shapely.Point(east, north)):
                points.append(("BK9", round(east), round(north)))
        # BK9 also reaches over the district's edge, as real postcode districts do.
        edge = self.boundary.exterior
        while len(points) < total:
            along = edge.interpolate(self.rng.uniform(0, edge.length))
            east = along.x + self.rng.uniform(-1500, 1500)
            north = along.y + self.rng.uniform(-1500, 1500)
            if not self.boundary.buffer(150).contains(shapely.Point(east, north)):
                points.append(("BK9", round(east), round(north)))
        points.sort(key=lambda p: (p[0], math.atan2(p[2] - self.n0, p[1] - self.e0)))
        for district, east, north in points:
            self.postcodes.append(self._unit(district, None, east, north, used))
        live = [p for p in self.postcodes if p["postcode"] != "BK1 1AA"]
        for record in self.rng.sample(live, 60):
            record["doterm"] = f"{self.rng.randint(2012, 2025)}{self.rng.randint(1, 12):02d}"

    def _brackenford_district(self, east: float, north: float) -> str:
        angle = math.atan2(north - self.n0, east - self.e0)
        return "BK1" if math.hypot(east - self.e0, north - self.n0) < 600 else ("BK2" if angle > 0 else "BK3")

    def _unit(self, district: str, inward: str | None, east: float, north: float, used: dict[str, set[str]]) -> dict[str, Any]:
        taken = used.setdefault(district, set())
        while inward is None or inward in taken:
            sector = min(9, 1 + len(taken) // 120) if district != "BK1" else 1 + len(taken) // 200
            inward = f"{sector}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
        taken.add(inward)
        return {"postcode": f"{district} {inward}", "east": east, "north": north, "doterm": ""}

    def nearest_postcode(self, east: float, north: float) -> str:
        best = min(
            (p for p in self.postcodes if not p["doterm"]),
            key=lambda p: (p["east"] - east) ** 2 + (p["north"] - north) ** 2,
        )
        return best["postcode"]

    def next_phone(self) -> str:
        self.phone += 1
        return f"01632 {self.phone}"

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"


def _feature_collection(meta: dict[str, Any], areas: list[tuple[str, str, dict[str, Any], shapely.Geometry]]) -> dict[str, Any]:
    geometries = reproject(np.array([a[3] for a in areas], dtype=object), BRITISH_NATIONAL_GRID, WGS84)
    geometries = rfc7946(shapely.set_precision(geometries, 1e-7))  # rounding can turn a ring: orient last
    return {
        "type": "FeatureCollection",
        "townhall": {**meta, "source": "Generated demo data (fictional)", "licence": "Open Government Licence v3.0"},
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name, **props},
             "geometry": json.loads(shapely.to_geojson(geometry))}
            for (code, name, props, _), geometry in zip(areas, geometries, strict=True)
        ],
    }


def write_sources(folder: Path, seed: int = SEED) -> dict[str, Path]:
    """Write the demo's open-data files (CSV and GeoJSON) and return where each is."""
    folder.mkdir(parents=True, exist_ok=True)
    demo = _Demo(seed)
    demo.make_postcodes()
    rng = demo.rng
    files: dict[str, Path] = {}

    postcode_east = np.array([p["east"] for p in demo.postcodes], dtype=float)
    postcode_north = np.array([p["north"] for p in demo.postcodes], dtype=float)
    lon, lat = from_grid(postcode_east, postcode_north)
    files["postcodes"] = folder / "postcodes.csv"
    with open(files["postcodes"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pcds", "lat", "long", "oseast1m", "osnrth1m", "doterm"])
        for record, la, lo in zip(demo.postcodes, lat, lon, strict=True):
            writer.writerow([record["postcode"], f"{la:.6f}", f"{lo:.6f}", record["east"], record["north"], record["doterm"]])

    layers: dict[str, list[tuple[str, str, dict[str, Any], shapely.Geometry]]] = {
        "boundary": [("BKDC", COUNCIL, {"website": "https://www.brackenford.example/"}, demo.boundary)],
    }

    # wards: more in the bigger towns, named after them
    ward_seeds: list[tuple[str, tuple[float, float]]] = []
    for town in TOWNS:
        centre = demo.town_point(town)
        if town.weight >= 5:
            for label, (dx, dy) in (("Central", (0, 0)), ("North", (0, 2200)), ("South", (0, -2300)),
                                    ("East", (2400, 200)), ("West", (-2400, -300))):
                ward_seeds.append((f"{town.name} {label}", (centre[0] + dx, centre[1] + dy)))
        elif town.weight >= 1.5:
            ward_seeds.append((f"{town.name} North", (centre[0], centre[1] + 900)))
            ward_seeds.append((f"{town.name} South", (centre[0], centre[1] - 900)))
        else:
            ward_seeds.append((town.name, centre))
    wards = []
    for number, ((name, _), cell) in enumerate(zip(ward_seeds, demo.tessellate([s for _, s in ward_seeds]), strict=True), start=1):
        seats = 3 if "Brackenford" in name else rng.choice((1, 2, 2, 3))
        councillors = [  # names without a title: the pages add "Councillor" in the reader's language
            {"name": demo.person(), "email": f"cllr{number:02d}{chr(96 + seat)}@brackenford.example",
             "phone": demo.next_phone()}
            for seat in range(1, seats + 1)
        ]
        wards.append((f"BKWD{number:02d}", name, {"councillors": councillors}, cell))
    layers["wards"] = wards

    facilities: list[dict[str, Any]] = []

    def add(category: str, name: str, point: tuple[float, float], **extra: Any) -> dict[str, Any]:
        street = rng.choice(STREETS)
        town = min(TOWNS, key=lambda t: math.dist(demo.town_point(t), point))
        record = {
            "name": name, "category": category, "address": f"{rng.randint(1, 120)} {street}, {town.name}",
            "postcode": demo.nearest_postcode(*point), "easting": round(point[0]), "northing": round(point[1]),
            "phone": demo.next_phone(), "email": "", "website": "", "opening_hours": HOURS.get(category, ""),
            "accessibility": rng.choice(ACCESSIBILITY), "description": "",
        }
        record.update(extra)
        facilities.append(record)
        return record

    add("council-offices", "Brackenford Council Offices", (demo.e0 + 35, demo.n0 - 20),
        address="Council Offices, Market Square, Brackenford", postcode="BK1 1AA", phone="01632 960000",
        email="customer.services@brackenford.example", website="https://www.brackenford.example/contact",
        description="Customer services, Blue Badges, council tax and benefits enquiries. "
                    "Textphone users: call 18001 01632 960000 (Relay UK).")
    for town in (TOWNS[1], TOWNS[2]):
        add("council-offices", f"{town.name} Customer Service Point", demo.scatter(demo.town_point(town), 250),
            email="customer.services@brackenford.example",
            opening_hours="Tuesday and Thursday 9am to 1pm; Saturday 9:30am to 12pm")
    for town in TOWNS:
        add("libraries", f"{town.name} Library", demo.scatter(demo.town_point(town), 300),
            email=f"{town.name.lower().replace(' ', '.')}.library@brackenford.example",
            description="Books, audiobooks, free computers and Wi-Fi, printing, and a Home Library Service.")
        add("childrens-centres", f"{town.name} Family Hub", demo.scatter(demo.town_point(town), 500),
            email="family.hubs@brackenford.example",
            description="Stay and play, health visitor clinics, and advice for families with children under 5.")
    for number, place in enumerate(("Brackenford", "Ashcombe", "Hartley Cross", "Oakhurst")):
        town = next(t for t in TOWNS if t.name == place)
        add("recycling-centres", f"{place} Recycling Centre", demo.scatter(demo.town_point(town), 1200),
            email="waste@brackenford.example",
            description="Bring garden waste, electricals, wood, metal, textiles and bulky items. "
                        "Cars and small vans only; book a slot for vans online.",
            opening_hours="Every day 8am to 4pm" if number else "Every day 8am to 6pm")
    for place in ("Brackenford", "Millbrook", "Kingsford Green", "Hartley Cross"):
        town = next(t for t in TOWNS if t.name == place)
        add("leisure-centres", f"{place} Leisure Centre", demo.scatter(demo.town_point(town), 600),
            description="Swimming pool with a pool hoist, gym, sports hall and exercise classes.")
    for town in TOWNS:
        add("parks", f"{town.name} {rng.choice(('Recreation Ground', 'Park', 'Memorial Gardens'))}",
            demo.scatter(demo.town_point(town), 600), phone="01632 960500",
            description="Play area, benches, accessible paths and public toilets.")

    # schools, and the catchment areas drawn around them
    primaries: list[dict[str, Any]] = []
    school_words = ("Primary School", "Church of England Primary School", "Community Primary School", "Infant and Junior School")
    for town in TOWNS:
        count = max(1, round(town.weight * 1.3))
        for number in range(count):
            suffix = ("", " St Mary's", " Meadowside", " Brookfield", " Hollybank", " Riverside", " Greenacres")[number % 7]
            name = f"{town.name}{suffix} {school_words[(number + len(town.name)) % len(school_words)]}"
            primaries.append(add("primary-schools", name, demo.scatter(demo.town_point(town), 900),
                                 email="admissions@brackenford.example"))
    secondaries = [
        add("secondary-schools", name, demo.scatter(demo.town_point(next(t for t in TOWNS if t.name == place)), 500),
            email="admissions@brackenford.example")
        for name, place in (("Brackenford Academy", "Brackenford"), ("Ashcombe High School", "Ashcombe"),
                            ("Millbrook School", "Millbrook"), ("Kingsford Green Academy", "Kingsford Green"),
                            ("Hartley Cross College", "Hartley Cross"))
    ]
    for layer, schools, prefix in (("primary-catchments", primaries, "BKPC"), ("secondary-catchments", secondaries, "BKSC")):
        cells = demo.tessellate([(s["easting"], s["northing"]) for s in schools])
        layers[layer] = [
            (f"{prefix}{number:02d}", f"{school['name']} catchment area",
             {"school": school["name"], "school_address": f"{school['address']} {school['postcode']}",
              "school_phone": school["phone"]}, cell)
            for number, (school, cell) in enumerate(zip(schools, cells, strict=True), start=1)
        ]

    # bin rounds: ten rounds, two a weekday; rubbish and recycling on alternate weeks. The
    # rounds start in the week of Monday 6 April 2026 ("week A"); each round's data gives the
    # date of its first rubbish and recycling collections, so the site can list real dates.
    minx, miny, maxx, maxy = demo.boundary.bounds
    round_seeds = [demo.scatter(demo.town_point(TOWNS[0]), 6000) for _ in range(10)]
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    week_a = date(2026, 4, 6)

    def round_properties(number: int) -> dict[str, Any]:
        day = (number - 1) // 2
        recycling_week = "A" if number % 2 else "B"
        recycling = week_a + timedelta(days=day + (0 if recycling_week == "A" else 7))
        rubbish = recycling + timedelta(days=7)
        return {"collection_day": days[day], "recycling_week": recycling_week, "every_weeks": 2,
                "rubbish_from": rubbish.isoformat(), "recycling_from": recycling.isoformat()}

    layers["bin-rounds"] = [
        (f"BKBR{number:02d}", f"{days[(number - 1) // 2]} round {'A' if number % 2 else 'B'}",
         round_properties(number), cell)
        for number, cell in enumerate(demo.tessellate(round_seeds), start=1)
    ]

    # parishes: every town but Brackenford has one; Brackenford itself is unparished
    parish_seeds = [(t.name, demo.town_point(t)) for t in TOWNS]
    parish_seeds += [("Lower Ashcombe", (demo.e0 - 9500, demo.n0 + 4800)), ("Fenwick Moor", (demo.e0 + 6500, demo.n0 + 8000))]
    cells = demo.tessellate([seed for _, seed in parish_seeds])
    parishes = []
    for number, ((name, _), cell) in enumerate(zip(parish_seeds, cells, strict=True), start=1):
        if name == "Brackenford":
            continue
        title = f"{name} Town Council" if name in ("Ashcombe", "Millbrook") else f"{name} Parish Council"
        parishes.append((f"BKPA{number:02d}", name, {"council": title, "clerk_phone": demo.next_phone(),
                                                   "clerk_email": f"clerk@{name.lower().replace(' ', '')}-pc.example"}, cell))
    layers["parishes"] = parishes

    for name, hours in CLUBS:
        place = next(t for t in TOWNS if name.startswith(t.name))
        add("clubs-and-societies", name, demo.scatter(demo.town_point(place), 700),
            opening_hours=hours.replace("Second floor room, ", ""),
            email=f"hello@{name.lower().replace(' ', '-').replace(chr(39), '')}.example",
            description="A volunteer-run group. New members welcome: just come along.")

    for name, areas in layers.items():
        files[name] = folder / f"{name}.geojson"
        files[name].write_text(json.dumps(_feature_collection(LAYERS[name], areas), ensure_ascii=False), encoding="utf-8")

    files["facilities"] = folder / "facilities.csv"
    labels = {
        "council-offices": "Council offices", "libraries": "Libraries", "recycling-centres": "Recycling centres",
        "childrens-centres": "Children's centres and family hubs", "leisure-centres": "Leisure centres",
        "parks": "Parks and play areas", "primary-schools": "Primary schools", "secondary-schools": "Secondary schools",
        "clubs-and-societies": "Clubs and societies",
    }
    with open(files["facilities"], "w", newline="", encoding="utf-8") as handle:
        fields = ["name", "category", "address", "postcode", "easting", "northing", "phone", "email",
                  "website", "opening_hours", "accessibility", "description"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for record in facilities:
            writer.writerow({**record, "category": labels[record["category"]]})
    return files


def generate(
    target: str | Path, seed: int = SEED, sources: Path | None = None, nearest_count: int | None = None
) -> list[ImportReport]:
    """Write the demo's files and import them into ``target`` through the ordinary importers."""
    folder = GeodataFolder(target)
    reports = []
    with tempfile.TemporaryDirectory() as scratch:
        files = write_sources(Path(sources) if sources else Path(scratch), seed)
        reports.append(import_postcodes(folder, files["postcodes"], nearest_count=nearest_count))
        for name in LAYERS:
            reports.append(import_areas(folder, name, files[name], code_property="code", name_property="name"))
        reports.append(import_facilities(folder, files["facilities"], nearest_count=nearest_count))
    _set_stamps(folder)
    return reports


def _set_stamps(folder: GeodataFolder) -> None:
    """Give the demo fixed import dates so regenerating it gives byte-identical files."""
    with folder.update(keep=1) as generation:
        manifest = generation.manifest
        manifest["postcodes"]["imported_at"] = DEMO_STAMP
        for entry in manifest["layers"]:
            entry["imported_at"] = DEMO_STAMP
        manifest["facilities"]["imported_at"] = DEMO_STAMP
