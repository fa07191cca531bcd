"""Places benchmark: a full answer (every area layer + the 5 nearest of a category) per postcode.

Measured in process at the demo's scale (the committed geodata) and at national
scale (2.7 million synthetic postcodes, 9,000 area polygons, built in
benches/.work/ and reused while its parameters are unchanged), then the same
point-in-polygon queries against PostgreSQL + PostGIS (a throwaway cluster over
a local socket, GiST index, the same polygons). Writes the "## Places" section
of BENCHMARKS.md and leaves every other section alone.

    python benches/bench_places.py [--quick] [--no-postgis]

--quick uses 270,000 postcodes and 900 polygons (for trying the script out).
Run it on a quiet machine: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

from townhall.places.build import (  # noqa: E402
    store_facilities,
    store_layer,
    store_nearest,
    store_postcodes,
)
from townhall.places.engine import Places  # noqa: E402
from townhall.places.errors import PlacesError  # noqa: E402
from townhall.places.geometry import (  # noqa: E402
    BRITISH_NATIONAL_GRID,
    WGS84,
    AreaIndex,
    from_grid,
    reproject,
)
from townhall.places.store import Category, Facility, GeodataFolder, Layer  # noqa: E402

WORK = ROOT / "benches" / ".work"
RESULTS = ROOT / "BENCHMARKS.md"
SECTION = "## Places"
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
AREA_FIRST = "ABCDEFGHKLMNOPRSTUWY"
AREA_SECOND = "ABCDEFGHKLMNPRSTUWY"
# National layers: 1 + 400 + 6,000 + 2,000 + 600 - 1 (the boundary counts once) = 9,000 polygons.
NATIONAL_LAYERS = (("boundary", 1), ("districts", 400), ("wards", 6000), ("primary-catchments", 2000),
                   ("secondary-catchments", 599))
NATIONAL_POSTCODES = 2_700_000
NATIONAL_LIBRARIES = 3_000
SAMPLE = 20_000


# --- machine ------------------------------------------------------------------

def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    system = platform.platform()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
    import geopy
    import pyproj

    return {
        "CPU": cpu, "Cores": str(os.cpu_count()), "RAM": memory, "OS": system,
        "Python": platform.python_version(),
        "Libraries": f"Shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), numpy {np.__version__}, "
                     f"pyproj {pyproj.__version__}, geopy {geopy.__version__}",
        "Date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


# --- national-scale synthetic data ----------------------------------------------

def national_folder(postcodes: int, layers: tuple[tuple[str, int], ...], libraries: int) -> Path:
    tag = f"national-{postcodes}-{sum(n for _, n in layers)}-{libraries}"
    folder = WORK / tag
    if GeodataFolder(folder).current is not None:
        print(f"Reusing {folder}")
        if "widths" not in (GeodataFolder(folder).manifest().get("nearest") or {}):
            # Built before every postcode's nearest lists were stored: work them out now, as
            # an import of facilities alone would, and time that step on its own.
            print("  working out every postcode's nearest facilities ...", flush=True)
            started = time.perf_counter()
            with GeodataFolder(folder).update(keep=1) as generation:
                store_nearest(generation)
            (folder / "nearest-seconds.txt").write_text(f"{time.perf_counter() - started:.0f} added\n")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"Building national-scale data in {folder} ...", flush=True)
    started = time.perf_counter()
    rng = np.random.default_rng(27)
    region = shapely.box(150_000, 50_000, 650_000, 950_000)  # most of Great Britain's grid
    minx, miny, maxx, maxy = region.bounds
    towns = np.column_stack([rng.uniform(minx, maxx, 2500), rng.uniform(miny, maxy, 2500)])
    weights = rng.pareto(1.2, len(towns)) + 0.2
    weights /= weights.sum()
    clustered = int(postcodes * 0.8)
    which = rng.choice(len(towns), clustered, p=weights)
    east = np.concatenate([towns[which, 0] + rng.normal(0, 2500, clustered), rng.uniform(minx, maxx, postcodes - clustered)])
    north = np.concatenate([towns[which, 1] + rng.normal(0, 2500, clustered), rng.uniform(miny, maxy, postcodes - clustered)])
    east, north = np.clip(east, minx + 1, maxx - 1), np.clip(north, miny + 1, maxy - 1)
    keys = synthetic_postcodes(postcodes)
    lon, lat = from_grid(east, north)
    folder_store = GeodataFolder(folder)
    with folder_store.update(keep=1) as generation:
        for name, count in layers:
            geometries = [region] if count == 1 else tessellation(rng, region, count, towns, weights)
            geometries = reproject(np.array(geometries, dtype=object), BRITISH_NATIONAL_GRID, WGS84)
            codes = [f"{name[:3].upper()}{i:05d}" for i in range(len(geometries))]
            store_layer(generation, Layer(name=name, title=name.replace("-", " ").capitalize(),
                                          edition="synthetic national-scale layer"),
                        codes, codes, [{} for _ in codes], geometries)
            print(f"  layer {name}: {len(codes)} polygons, "
                  f"{int(shapely.get_num_coordinates(geometries).sum()):,} vertices", flush=True)
        store_postcodes(generation, keys, lon, lat, east, north)
        print(f"  {postcodes:,} postcodes placed in every layer", flush=True)
        pick = rng.choice(len(east), libraries, replace=False)
        facilities = [
            Facility(id=f"library-{i}", name=f"Library {i}", category="libraries", lat=float(lat[j]), lon=float(lon[j]),
                     east=float(east[j]), north=float(north[j]), opening_hours="Monday to Friday 9am to 5pm")
            for i, j in enumerate(pick)
        ]
        nearest_started = time.perf_counter()
        store_facilities(generation, [Category("libraries", "Libraries")], facilities)
        (folder / "nearest-seconds.txt").write_text(f"{time.perf_counter() - nearest_started:.0f} included\n")
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    (folder / "build-seconds.txt").write_text(f"{time.perf_counter() - started:.0f}\n")
    return folder


def synthetic_postcodes(count: int) -> np.ndarray:
    """Unique postcodes in the real format (area, district, sector, unit)."""
    areas = [a + b for a in AREA_FIRST for b in AREA_SECOND][:150]
    units = [a + b for a in LETTERS for b in LETTERS]  # 400 a sector
    out = []
    index = 0
    for area in areas:
        for district in range(1, 100):
            for sector in range(10):
                base = f"{area}{district} {sector}"
                for unit in units:
                    out.append(base + unit)
                    index += 1
                    if index == count:
                        return np.array(out, dtype="S8")
    raise ValueError("too many postcodes asked for")


def tessellation(rng, region, count, towns, weights) -> list:
    """Voronoi cells, denser where people live, edges cut to 250 m so each has realistic detail."""
    near = rng.random(count) < 0.7
    seeds = np.where(near[:, None],
                     towns[rng.choice(len(towns), count, p=weights)] + rng.normal(0, 6000, (count, 2)),
                     np.column_stack([rng.uniform(*region.bounds[0::2], count), rng.uniform(*region.bounds[1::2], count)]))
    minx, miny, maxx, maxy = region.bounds
    seeds = np.column_stack([np.clip(seeds[:, 0], minx + 10, maxx - 10), np.clip(seeds[:, 1], miny + 10, maxy - 10)])
    seeds = np.unique(seeds.round(0), axis=0)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region))
    cells = shapely.intersection(cells, region)
    cells = cells[~shapely.is_empty(cells)]
    return list(shapely.segmentize(cells, 250.0))


# --- measurements ----------------------------------------------------------------

def startup(folder: Path) -> dict[str, float]:
    """Open the geodata and answer one postcode, in a fresh interpreter."""
    code = textwrap.dedent(f"""
        import json, sys, time
        sys.path.insert(0, {str(ROOT / 'site')!r})
        def rss():
            for line in open('/proc/self/status'):
                if line.startswith('VmRSS'):
                    return int(line.split()[1]) / 1024
        before = rss()
        t0 = time.perf_counter()
        from townhall.places.engine import Places
        t1 = time.perf_counter()
        places = Places.open({str(folder)!r}, council='Bench')
        key = places.data.keys[len(places.data.keys) // 2].decode()
        category = places.categories[0].slug
        try:
            places.lookup(key, category)
        except Exception:
            pass
        t2 = time.perf_counter()
        print(json.dumps({{"import_s": t1 - t0, "open_s": t2 - t1, "rss_mib": rss(), "rss_before_mib": before}}))
    """)
    runs = []
    for _ in range(3):
        output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    best = min(runs, key=lambda run: run["open_s"])
    return best


def answerable(places: Places, count: int, seed: int) -> list[tuple[str, float, float]]:
    rng = random.Random(seed)
    keys = places.data.keys
    chosen: list[tuple[str, float, float]] = []
    attempts = 0
    while len(chosen) < count and attempts < count * 20:
        attempts += 1
        key = keys[rng.randrange(len(keys))].decode()
        try:
            location = places.locate(key)
        except PlacesError:
            continue
        chosen.append((key, location.lon, location.lat))
    return chosen


ROUNDS = 3


def time_calls(function, arguments, rounds: int = ROUNDS) -> list[float]:
    """Per-call timings from the best of ``rounds`` passes (lowest median).

    The machine is shared, so a pass can be slowed by someone else's work;
    the quietest pass is the fairest picture, for us and for PostGIS alike.
    """
    best: list[float] | None = None
    clock = time.perf_counter
    for _ in range(rounds):
        timings = []
        for argument in arguments:
            started = clock()
            function(argument)
            timings.append(clock() - started)
        if best is None or percentile(timings, 0.5) < percentile(best, 0.5):
            best = timings
    return best or []


def measure_in_process(folder: Path, category: str, sample: int) -> dict[str, float]:
    places = Places.open(folder, council="Bench")
    points = answerable(places, sample, seed=5)
    keys = [key for key, _, _ in points]
    for key in keys[:500]:  # warm the caches a server would have warm
        places.lookup(key, category)
    full = time_calls(lambda key: places.lookup(key, category, 5), keys)
    areas = time_calls(lambda key: places.lookup(key), keys)
    indexes = [AreaIndex(places.data.geometries(layer.name), [a.code for a in places.data.areas[layer.name]])
               for layer in places.layers]
    for index in indexes:
        index.assign(np.array([points[0][1]]), np.array([points[0][2]]))  # prepare once

    def live(point):  # what "use my location" does: every layer, point-in-polygon now
        return [index.assign_point(point[1], point[2]) for index in indexes]

    live_times = time_calls(live, points[: min(len(points), 5000)])
    # The whole answer for a location ("use my location"): every layer with boundary
    # distances, and the 5 nearest found through the tree and ranked by geopy.
    located = points[: min(len(points), 2000)]
    live_full = time_calls(lambda point: places.lookup_point(point[2], point[1], category, 5), located)
    polygons = sum(len(index.geometries) for index in indexes)
    checked, agreed = check_against_geopy(places, category, points, GEOPY_SAMPLE)
    nearest_bytes = sum(path.stat().st_size for path in (places.data.path / "nearest").glob(f"{category}.*.npy"))
    return {
        "full_median_us": percentile(full, 0.5) * 1e6, "full_p99_us": percentile(full, 0.99) * 1e6,
        "areas_median_us": percentile(areas, 0.5) * 1e6, "areas_p99_us": percentile(areas, 0.99) * 1e6,
        "live_median_us": percentile(live_times, 0.5) * 1e6, "live_p99_us": percentile(live_times, 0.99) * 1e6,
        "live_full_median_us": percentile(live_full, 0.5) * 1e6, "live_full_p99_us": percentile(live_full, 0.99) * 1e6,
        "live_queries": len(located),
        "queries": len(keys), "postcodes": len(places.data.keys), "polygons": polygons,
        "layers": len(places.layers), "facilities": len(places.facilities(category)),
        "stored": places.data.manifest["nearest"]["count"], "nearest_mib": nearest_bytes / 2**20,
        "geopy_checked": checked, "geopy_agreed": agreed,
        "_points": points,
    }


GEOPY_SAMPLE = 200


def check_against_geopy(places: Places, category: str, points, sample: int) -> tuple[int, int]:
    """For random postcodes, the stored list against a brute-force geopy ranking of every facility."""
    from geopy.distance import geodesic

    members = places.facilities(category)
    width = min(places.data.manifest["nearest"]["count"], len(members))
    measure = geodesic().measure  # one instance for the whole brute force; the same sum as geodesic(a, b)
    chosen = random.Random(8).sample(points, min(sample, len(points)))
    agreed = 0
    for key, lon, lat in chosen:
        expected = sorted((measure((lat, lon), (f.lat, f.lon)) * 1000, f.id) for f in members)[:width]
        got = places.nearest(places.locate(key), category, width)
        same_order = [n.facility.id for n in got] == [fid for _, fid in expected]
        close = all(abs(n.metres - metres) <= max(0.01, metres * 1e-6) for n, (metres, _) in zip(got, expected, strict=False))  # fewer found is a disagreement
        agreed += same_order and close
    print(f"  stored nearest {category} equal geopy's brute-force ranking for {agreed} of {len(chosen)} postcodes",
          flush=True)
    return len(chosen), agreed


# --- PostGIS --------------------------------------------------------------------

PG_PACKAGES = ("postgresql", "postgresql-15-postgis-3")


def ensure_postgis() -> Path | None:
    bindir = Path("/usr/lib/postgresql/15/bin")
    if not (bindir / "initdb").exists() or not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        if os.geteuid() != 0:
            print("PostGIS is not installed and this is not root: skipping the PostGIS comparison.")
            return None
        print("Installing " + " ".join(PG_PACKAGES) + " from Debian ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *PG_PACKAGES], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    return bindir


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, reached over a Unix socket."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="townhall-pg-"))
        self.data = self.folder / "data"
        self.socket = self.folder / "socket"
        self.socket.mkdir()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.folder, self.user)
            shutil.chown(self.socket, self.user)
        os.chmod(self.folder, 0o755)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def __enter__(self) -> Cluster:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-k {self.socket} -c listen_addresses='' -c shared_buffers=256MB -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.folder / "log"), "start")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def connect(self):
        import psycopg

        return psycopg.connect(host=str(self.socket), user="postgres", dbname="postgres", autocommit=True)


def measure_postgis(cluster: Cluster, folder: Path, points: list[tuple[str, float, float]], queries: int,
                    category: str) -> dict[str, float]:
    places = Places.open(folder, council="Bench")
    with cluster.connect() as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        connection.execute("DROP TABLE IF EXISTS areas")
        connection.execute("CREATE TABLE areas (id serial PRIMARY KEY, layer text NOT NULL, code text NOT NULL, "
                           "geom geometry(MultiPolygon, 4326) NOT NULL)")
        with connection.cursor() as cursor:
            with cursor.copy("COPY areas (layer, code, geom) FROM STDIN") as copy:
                for layer in places.layers:
                    for area, geometry in zip(places.data.areas[layer.name], places.data.geometries(layer.name), strict=True):
                        multi = geometry if geometry.geom_type == "MultiPolygon" else shapely.MultiPolygon([geometry])
                        copy.write_row((layer.name, area.code, "SRID=4326;" + shapely.to_wkb(multi, hex=True)))
        connection.execute("CREATE INDEX areas_geom ON areas USING gist (geom)")
        connection.execute("VACUUM ANALYZE areas")
        connection.execute("DROP TABLE IF EXISTS facilities")
        connection.execute("CREATE TABLE facilities (id text PRIMARY KEY, category text NOT NULL, name text NOT NULL, "
                           "geog geography(Point, 4326) NOT NULL)")
        with connection.cursor() as cursor:
            with cursor.copy("COPY facilities (id, category, name, geog) FROM STDIN") as copy:
                for facility in places.facilities():
                    copy.write_row((facility.id, facility.category, facility.name,
                                    f"SRID=4326;POINT({facility.lon} {facility.lat})"))
        connection.execute("CREATE INDEX facilities_geog ON facilities USING gist (geog)")
        connection.execute("VACUUM ANALYZE facilities")
        sql = ("SELECT layer, code FROM areas "
               "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))")
        cursor = connection.cursor()
        sample = points[:queries]
        for _, lon, lat in sample[:300]:
            cursor.execute(sql, (lon, lat), prepare=True)
            cursor.fetchall()

        def query(point):
            cursor.execute(sql, (point[1], point[2]), prepare=True)
            return cursor.fetchall()

        timings = time_calls(query, sample)
        # The whole answer in one round trip: every area, and the 5 nearest of the category
        # (KNN on the geography index, distances on the spheroid).
        full_sql = ("SELECT layer, code, NULL::float8 FROM areas "
                    "WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)) "
                    "UNION ALL (SELECT 'nearest', name, ST_Distance(geog, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography) "
                    "FROM facilities WHERE category = %(category)s "
                    "ORDER BY geog <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography LIMIT 5)")

        def full_query(point):
            cursor.execute(full_sql, {"lon": point[1], "lat": point[2], "category": category}, prepare=True)
            return cursor.fetchall()

        for point in sample[:300]:
            full_query(point)
        full_timings = time_calls(full_query, sample)
        agree = 0
        for key, lon, lat in sample[:1000]:
            expected = {(match.layer.name, match.area.code) for match in places.lookup(key).areas if match.area}
            agree += set(query((key, lon, lat))) == expected
        version = connection.execute("SELECT postgis_lib_version(), version()").fetchone()
    return {
        "pg_median_us": percentile(timings, 0.5) * 1e6, "pg_p99_us": percentile(timings, 0.99) * 1e6,
        "pg_full_median_us": percentile(full_timings, 0.5) * 1e6, "pg_full_p99_us": percentile(full_timings, 0.99) * 1e6,
        "pg_queries": len(sample), "pg_agree": agree, "pg_agree_of": min(1000, len(sample)),
        "pg_version": f"PostGIS {version[0]}, {version[1].split(',')[0]}",
    }


# --- report ---------------------------------------------------------------------

def write_section(text: str) -> None:
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    lines = existing.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        updated = "".join(lines[:start]) + text + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    temporary = RESULTS.with_name(RESULTS.name + ".tmp")
    temporary.write_text(updated, encoding="utf-8")
    os.replace(temporary, RESULTS)


def render(facts, rows, live_rows, loads, notes) -> str:
    out = [f"{SECTION}\n\n",
           "A *full answer* is everything \"Your area\" needs for one postcode: its area in every layer "
           "(with the near-a-boundary check) and the 5 nearest facilities of one category with geodesic "
           "distances, all read from what the import worked out for that postcode. Latencies are per call, "
           "in process, over random postcodes in the area. PostGIS runs the same point-in-polygon queries "
           "(one round trip for all layers, prepared statement, GiST index, the same polygons) over a local "
           "Unix socket, and the whole answer in one round trip (those areas plus the 5 nearest by geography "
           "KNN with spheroid distances).\n\n",
           "| Machine | |\n|---|---|\n"]
    out += [f"| {key} | {value} |\n" for key, value in facts.items()]
    out.append(f"| Load average (1/5/15 min) at start, end | {loads[0]}; {loads[1]} |\n\n")
    out.append("| Scale | Postcodes | Polygons (layers) | Start-up | Memory (RSS) | Full answer median / p99 "
               "| Areas only median / p99 | PostGIS point-in-polygon median / p99 | PostGIS full answer median / p99 "
               "| PostGIS point-in-polygon ÷ our full answer | PostGIS full answer ÷ our full answer |\n")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|\n")
    out += [row + "\n" for row in rows]
    out.append("\nLive lookups, for a latitude and longitude (\"use my location\"), have nothing stored to read: "
               "every layer is asked point-in-polygon through its STRtree, boundary distances are measured, and "
               "the nearest come from the facilities' STRtree, ranked by `geopy.distance.geodesic`.\n\n")
    out.append("| Scale | Point-in-polygon, all layers, median / p99 | Full answer for a location median / p99 |\n")
    out.append("|---|---|---|\n")
    out += [row + "\n" for row in live_rows]
    out.append("\n")
    out += [f"- {note}\n" for note in notes]
    return "".join(out)


def us(value: float) -> str:
    return f"{value:,.0f} µs" if value >= 10 else f"{value:.1f} µs"


def run_scale(label: str, folder: Path, category: str, cluster: Cluster | None,
              sample: int) -> tuple[str, str, list[str]]:
    print(f"[{label}] start-up ...", flush=True)
    start = startup(folder)
    print(f"[{label}] in-process lookups ...", flush=True)
    result = measure_in_process(folder, category, sample)
    notes = []
    pg = None
    if cluster is not None:
        print(f"[{label}] PostGIS ...", flush=True)
        pg = measure_postgis(cluster, folder, result["_points"], min(sample, 10_000), category)
        notes.append(f"{label}: PostGIS gave the same areas as the stored answers for {pg['pg_agree']} of "
                     f"{pg['pg_agree_of']} postcodes ({pg['pg_version']}).")
    memory = f"{start['rss_mib']:.0f} MiB ({start['rss_mib'] - start['rss_before_mib']:.0f} MiB for the data and code)"
    row = (f"| {label} | {result['postcodes']:,} | {result['polygons']:,} ({result['layers']}) "
           f"| {start['open_s'] * 1000:,.0f} ms (+{start['import_s'] * 1000:,.0f} ms imports) | {memory} "
           f"| {us(result['full_median_us'])} / {us(result['full_p99_us'])} "
           f"| {us(result['areas_median_us'])} / {us(result['areas_p99_us'])} ")
    if pg:
        row += (f"| {us(pg['pg_median_us'])} / {us(pg['pg_p99_us'])} "
                f"| {us(pg['pg_full_median_us'])} / {us(pg['pg_full_p99_us'])} "
                f"| {pg['pg_median_us'] / result['full_median_us']:.1f}x "
                f"| {pg['pg_full_median_us'] / result['full_median_us']:.1f}x |")
    else:
        row += "| not run | not run | – | – |"
    live_row = (f"| {label} | {us(result['live_median_us'])} / {us(result['live_p99_us'])} "
                f"| {us(result['live_full_median_us'])} / {us(result['live_full_p99_us'])} |")
    print(row, live_row, sep="\n", flush=True)
    notes.append(f"{label}: {result['queries']:,} postcode lookups ({result['live_queries']:,} live); nearest "
                 f"{category} among {result['facilities']:,}. Each postcode's {result['stored']} nearest "
                 f"{category} take {result['nearest_mib']:,.1f} MiB on disk (memory-mapped).")
    notes.append(f"{label}: for {result['geopy_checked']} random postcodes the stored list of nearest {category} "
                 f"was exactly the brute-force `geopy.distance.geodesic` ranking of all {result['facilities']:,} "
                 f"(same order, distances within 1 cm) for {result['geopy_agreed']}.")
    return row, live_row, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of national scale, for trying the script")
    parser.add_argument("--no-postgis", action="store_true", help="skip the PostGIS comparison")
    parser.add_argument("--no-write", action="store_true", help="print the results but leave BENCHMARKS.md alone")
    args = parser.parse_args()
    loads = [load_average()]
    print(f"Load average at start: {loads[0]}", flush=True)
    facts = machine_facts()
    demo = GeodataFolder(ROOT / "geodata").current
    if demo is None:
        sys.exit("No demo geodata in geodata/: run `flask geodata generate-demo` first.")
    divisor = 10 if args.quick else 1
    layers = tuple((name, max(1, count // divisor)) for name, count in NATIONAL_LAYERS)
    national = national_folder(NATIONAL_POSTCODES // divisor, layers, NATIONAL_LIBRARIES // divisor)
    bindir = None if args.no_postgis else ensure_postgis()
    rows, live_rows, notes = [], [], []
    cluster = Cluster(bindir) if bindir else None
    try:
        if cluster:
            cluster.__enter__()
        for label, folder, category in (("Demo", ROOT / "geodata", "libraries"),
                                        ("National" + (" (quick: 1/10)" if args.quick else ""), national, "libraries")):
            row, live_row, more = run_scale(label, folder, category, cluster, SAMPLE)
            rows.append(row)
            live_rows.append(live_row)
            notes += more
    finally:
        if cluster:
            cluster.__exit__(None, None, None)
    build = national / "build-seconds.txt"
    nearest = national / "nearest-seconds.txt"
    if build.exists() and nearest.exists():
        seconds, how = nearest.read_text().split()
        if how == "included":
            notes.append(f"Building the national-scale generation took {build.read_text().strip()} s, of which "
                         f"{seconds} s went on every postcode's nearest lists (what importing facilities does).")
        else:
            notes.append(f"Building the national-scale generation took {build.read_text().strip()} s before nearest "
                         f"lists were stored (every postcode placed in every layer, boundary distances); working out "
                         f"every postcode's nearest lists (what importing facilities alone does) took {seconds} s more.")
    notes.append(f"Each latency is the best of {ROUNDS} passes over the same sample (lowest median), "
                 "ours and PostGIS's alike, because other work shares this machine.")
    notes.append("Targets: full answer under 1 ms median at national scale; at least 10x faster than the PostGIS "
                 "round trip; start-up under 2 s at the demo's scale.")
    loads.append(load_average())
    print(f"Load average at end: {loads[1]}", flush=True)
    text = render(facts, rows, live_rows, loads, notes)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"Wrote the {SECTION} section of {RESULTS}")


if __name__ == "__main__":
    main()
