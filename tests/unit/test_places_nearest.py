"""Nearest facilities: the lists the import stores for every postcode, and live lookups.

geopy's ``geodesic`` is the reference throughout: the import ranks with PROJ's
implementation of the same algorithm (vectorised), live lookups rank with geopy
itself, and both must give geopy's brute-force ranking (nearest first, ties by
facility id).
"""

from __future__ import annotations

import csv
import random

import numpy as np
import pyproj
import pytest
from geopy.distance import geodesic

from townhall.config import PROJECT_ROOT
from townhall.places.engine import Places
from townhall.places.importers import import_facilities, import_postcodes
from townhall.places.store import GeodataFolder

LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# One geopy geodesic serves the brute force: building one per pair doubles the time, same answer.
GEOPY = geodesic()


def geopy_ranking(lat, lon, facilities):
    """Every facility as (geopy metres, id), nearest first, ties by id."""
    return sorted((GEOPY.measure((lat, lon), (f.lat, f.lon)) * 1000, f.id) for f in facilities)


def write_postcodes(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude", "doterm"])
        writer.writerows(rows)
    return path


def write_facilities(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "category", "latitude", "longitude"])
        writer.writerows(rows)
    return path


def random_things(rng, count, prefix="t"):
    """Places of one kind ("Things") scattered over the same patch of country as random_postcodes."""
    return [(f"{prefix}{n:03d}", f"Thing {n}", "Things", rng.uniform(51.9, 52.3), rng.uniform(-1.4, -0.8))
            for n in range(count)]


def imported(tmp_path, postcodes, facilities, **postcode_options) -> GeodataFolder:
    """A geodata folder holding these postcodes and facilities, imported as the site's commands do."""
    store = GeodataFolder(tmp_path / "g")
    import_postcodes(store, write_postcodes(tmp_path / "p.csv", postcodes), **postcode_options)
    import_facilities(store, write_facilities(tmp_path / "f.csv", facilities))
    return store


def random_postcodes(rng, count):
    return [(f"BK{1 + n % 9} {n % 10}{LETTERS[n % 20]}{LETTERS[(n // 20) % 20]}",
             rng.uniform(51.95, 52.25), rng.uniform(-1.35, -0.85), "") for n in range(count)]


def test_every_demo_postcode_has_the_true_ranking_for_every_category():
    """The committed demo data: every postcode in use, every category, against a brute-force ranking.

    Every row is checked against pyproj's geodesic (Karney's algorithm, vectorised), and a
    deterministic sample of rows against geopy's own `geodesic`, one at a time, as residents'
    answers would be checked by hand.
    """
    places = Places.open(PROJECT_ROOT / "geodata", council="Demo")
    manifest = places.data.manifest["nearest"]
    assert manifest["count"] >= 10
    withdrawn = np.asarray(places.data.withdrawn)
    in_use = np.flatnonzero(withdrawn == 0)
    assert len(in_use) >= 2000
    geod = pyproj.Geod(ellps="WGS84")
    sample = set(in_use[:: max(1, len(in_use) // 150)].tolist())
    checked = by_geopy = 0
    for category in places.categories:
        members = places.facilities(category.slug)
        found, metres = places.data.nearest_lists(category.slug)
        width = min(manifest["count"], len(members))
        assert found.shape == (places.postcode_count, width)
        assert (np.asarray(found)[withdrawn != 0] == -1).all()
        member_lat = np.array([f.lat for f in members])
        member_lon = np.array([f.lon for f in members])
        ids = [f.id for f in members]
        for row in in_use.tolist():
            lon, lat = places.data.coords[row, :2].tolist()
            _, _, distances = geod.inv(np.full(len(members), lon), np.full(len(members), lat), member_lon, member_lat)
            expected = sorted(zip(distances.tolist(), ids, strict=True))[:width]
            got = [places.data.facilities[i] for i in found[row].tolist()]
            assert [f.id for f in got] == [fid for _, fid in expected], (row, category.slug)
            assert metres[row].tolist() == pytest.approx([m for m, _ in expected], rel=1e-6, abs=0.01)
            checked += 1
            if row in sample:
                assert [f.id for f in got] == [fid for _, fid in geopy_ranking(lat, lon, members)[:width]]
                by_geopy += 1
    assert checked == len(in_use) * len(places.categories)
    assert by_geopy >= 150 * len(places.categories)


def test_a_postcode_answer_is_read_from_the_stored_lists(tmp_path):
    rng = random.Random(3)
    postcodes = random_postcodes(rng, 40)
    imported(tmp_path, postcodes, random_things(rng, 30))
    places = Places.open(tmp_path / "g", council="x")
    for postcode, *_ in postcodes:
        answer = places.lookup(postcode, "things", 10)
        expected = geopy_ranking(answer.location.lat, answer.location.lon, places.facilities("things"))[:10]
        assert [n.facility.id for n in answer.nearest] == [fid for _, fid in expected]
    assert places._category_indexes == {}  # no tree was built: nothing was found live


def test_asking_a_postcode_for_more_than_was_stored_is_answered_live_by_geopy(tmp_path):
    rng = random.Random(5)
    postcodes = random_postcodes(rng, 10)
    store = imported(tmp_path, postcodes, random_things(rng, 20), nearest_count=3)
    assert store.manifest()["nearest"] == {"count": 3, "widths": {"things": 3}}  # the facilities import kept 3
    places = Places.open(tmp_path / "g", council="x")
    stored_answers = {postcode: places.lookup(postcode, "things", 3).nearest for postcode, *_ in postcodes}
    assert "things" not in places._category_indexes
    for postcode, *_ in postcodes:
        stored = stored_answers[postcode]
        live = places.lookup(postcode, "things", 7).nearest
        location = places.locate(postcode)
        expected = geopy_ranking(location.lat, location.lon, places.facilities("things"))
        assert [n.facility.id for n in live] == [fid for _, fid in expected[:7]]
        # the live path shows geopy's own distances
        assert [n.metres for n in live] == [m for m, _ in expected[:7]]
        assert [n.facility.id for n in stored] == [n.facility.id for n in live[:3]]
    assert "things" in places._category_indexes


def test_use_my_location_ranks_with_geopy_and_agrees_with_the_stored_lists(tmp_path):
    rng = random.Random(7)
    postcodes = random_postcodes(rng, 30)
    imported(tmp_path, postcodes, [  # clustered, as towns are: many near ties
        (f"t{n:03d}", f"Thing {n}", "Things", rng.gauss(52.1, 0.08), rng.gauss(-1.1, 0.12)) for n in range(200)])
    places = Places.open(tmp_path / "g", council="x")
    for postcode, lat, lon, _ in postcodes:
        by_location = places.lookup_point(lat, lon, "things", 10).nearest
        expected = geopy_ranking(lat, lon, places.facilities("things"))[:10]
        assert [(n.metres, n.facility.id) for n in by_location] == expected
        by_postcode = places.lookup(postcode, "things", 10).nearest
        assert [n.facility.id for n in by_postcode] == [n.facility.id for n in by_location]
        assert [n.metres for n in by_postcode] == pytest.approx([n.metres for n in by_location], abs=0.01)


def test_ties_go_to_the_facility_id_that_sorts_first(tmp_path):
    store = GeodataFolder(tmp_path / "g")
    import_postcodes(store, write_postcodes(tmp_path / "p.csv", [("BK1 1AA", 52.0, -1.0, "")]))
    # Three places at one spot (a shared building), listed out of id order, and one further away.
    import_facilities(store, write_facilities(tmp_path / "f.csv", [
        ("zeta", "Zeta", "Things", 52.01, -1.0), ("alpha", "Alpha", "Things", 52.01, -1.0),
        ("far", "Far", "Things", 52.05, -1.0), ("mu", "Mu", "Things", 52.01, -1.0)]))
    places = Places.open(tmp_path / "g", council="x")
    stored = [n.facility.id for n in places.lookup("BK1 1AA", "things", 4).nearest]
    live = [n.facility.id for n in places.lookup_point(52.0, -1.0, "things", 4).nearest]
    assert stored == live == ["alpha", "mu", "zeta", "far"]


def test_importing_facilities_alone_refreshes_every_postcodes_lists(tmp_path):
    rng = random.Random(9)
    postcodes = random_postcodes(rng, 25)
    store = imported(tmp_path, postcodes, random_things(rng, 15, prefix="old"))
    before = Places.open(tmp_path / "g", council="x")
    old_answer = [n.facility.id for n in before.lookup(postcodes[0][0], "things", 5).nearest]
    import_facilities(store, write_facilities(tmp_path / "b.csv", random_things(rng, 12, prefix="new")
                                              + [("lib", "Library", "Libraries", 52.1, -1.1)]))
    after = Places.open(tmp_path / "g", council="x")
    assert after.data.manifest["nearest"]["widths"] == {"things": 10, "libraries": 1}
    for postcode, *_ in postcodes:
        answer = after.lookup(postcode, "things", 10)
        expected = geopy_ranking(answer.location.lat, answer.location.lon, after.facilities("things"))[:10]
        assert [n.facility.id for n in answer.nearest] == [fid for _, fid in expected]
        assert after.lookup(postcode, "libraries", 5).nearest[0].facility.id == "lib"
    assert after._category_indexes == {}
    # The generation the site had open is untouched: it still answers from the old list.
    assert [n.facility.id for n in before.lookup(postcodes[0][0], "things", 5).nearest] == old_answer


def test_reimporting_postcodes_works_the_lists_out_for_the_new_postcodes(tmp_path):
    rng = random.Random(11)
    store = GeodataFolder(tmp_path / "g")
    import_postcodes(store, write_postcodes(tmp_path / "p.csv", random_postcodes(rng, 5)))
    import_facilities(store, write_facilities(tmp_path / "f.csv", [
        (f"t{n}", f"Thing {n}", "Things", rng.uniform(51.9, 52.3), rng.uniform(-1.4, -0.8)) for n in range(12)]))
    moved = [(postcode, lat + 0.05, lon - 0.05, "") for postcode, lat, lon, _ in random_postcodes(rng, 8)]
    moved.append(("BK9 9ZZ", 52.1, -1.1, "202001"))  # withdrawn: no list, and never asked for
    import_postcodes(store, write_postcodes(tmp_path / "q.csv", moved))
    places = Places.open(tmp_path / "g", council="x")
    found, _ = places.data.nearest_lists("things")
    assert found.shape == (9, 10)
    for postcode, lat, lon, withdrawn in moved:
        if withdrawn:
            continue
        expected = geopy_ranking(lat, lon, places.facilities("things"))[:10]
        assert [n.facility.id for n in places.lookup(postcode, "things", 10).nearest] == [fid for _, fid in expected]


def test_a_failed_facilities_import_leaves_the_lists_alone(tmp_path):
    from townhall.places.importers import ImportFailed

    store = GeodataFolder(tmp_path / "g")
    import_postcodes(store, write_postcodes(tmp_path / "p.csv", [("BK1 1AA", 52.0, -1.0, "")]))
    import_facilities(store, write_facilities(tmp_path / "a.csv", [("a", "A", "Things", 52.01, -1.0)]))
    current = store.current
    with pytest.raises(ImportFailed):
        import_facilities(store, write_facilities(tmp_path / "b.csv", [("b", "B", "Things", "north", -1.0)]))
    assert store.current == current
    assert Places.open(tmp_path / "g", council="x").lookup("BK1 1AA", "things").nearest[0].facility.id == "a"
