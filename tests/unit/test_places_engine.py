"""The lookup engine on hand-made polygons whose answers are known.

Everything is built with the ordinary importers from small files, so these
tests run the same path as the site. Around 52°N, 0.001° of longitude is about
69 m and 0.001° of latitude about 111 m.
"""

import csv
import json
from datetime import date

import pytest

from townhall.places.engine import Places
from townhall.places.errors import (
    NotALocation,
    NotAPostcode,
    OutsideArea,
    PostcodeNotFound,
    PostcodeTerminated,
    UnknownCategory,
    UnknownLayer,
)
from townhall.places.importers import import_areas, import_facilities, import_postcodes
from townhall.places.store import GeodataFolder


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def collection(features):
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}
            for code, name, geometry in features
        ],
    }


BOUNDARY = collection([("AREA", "Testshire", {"type": "Polygon", "coordinates": [square(-1.0, 52.0, -0.98, 52.02)]})])
# Two wards sharing the edge at longitude -0.99; listed B first to show order does not matter.
WARDS = collection([
    ("W-B", "East ward", {"type": "Polygon", "coordinates": [square(-0.99, 52.0, -0.98, 52.02)]}),
    ("W-A", "West ward", {"type": "Polygon", "coordinates": [square(-1.0, 52.0, -0.99, 52.02)]}),
])
# A ring with a hole, and an island inside the hole.
RINGS = collection([
    ("RING", "Ring", {"type": "Polygon", "coordinates": [square(-1.0, 52.0, -0.98, 52.02), square(-0.995, 52.005, -0.985, 52.015)]}),
    ("ISLAND", "Island", {"type": "Polygon", "coordinates": [square(-0.992, 52.008, -0.988, 52.012)]}),
])
# One area in two pieces: the south-west and north-east corners.
SPLIT = collection([
    ("SPLIT", "Split", {"type": "MultiPolygon", "coordinates": [[square(-1.0, 52.0, -0.995, 52.005)], [square(-0.985, 52.015, -0.98, 52.02)]]}),
])

POSTCODES = [
    # postcode, lat, lon, withdrawn
    ("BK1 1AA", 52.010, -0.997, ""),  # west ward, in the ring, far from ward edges
    ("BK1 1AB", 52.010, -0.990, ""),  # exactly on the shared ward edge
    ("BK1 1AD", 52.010, -0.9935, ""),  # in the hole of the ring
    ("BK1 1AF", 52.030, -0.990, ""),  # north of the boundary: outside our area
    ("BK1 1AG", 52.010, -0.9975, "201903"),  # withdrawn in March 2019
    ("BK1 1AH", 52.002, -0.998, ""),  # in the south-west piece of SPLIT
    ("BK1 1AJ", 52.018, -0.982, ""),  # in the north-east piece of SPLIT
    ("BK1 1AL", 52.010, -0.9905, ""),  # west ward, about 34 m from the edge
    ("BK1 1AN", 52.000, -0.997, ""),  # on the boundary's own southern edge
]
ISLAND_POINT = ("BK1 1AP", 52.0100, -0.9895, "")  # on the island inside the ring's hole


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("geodata")
    files = tmp_path_factory.mktemp("files")
    with open(files / "postcodes.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude", "doterm"])
        for row in [*POSTCODES, ISLAND_POINT]:
            writer.writerow(row)
    store = GeodataFolder(root)
    import_postcodes(store, files / "postcodes.csv")
    for name, data in (("boundary", BOUNDARY), ("wards", WARDS), ("rings", RINGS), ("split", SPLIT)):
        (files / f"{name}.geojson").write_text(json.dumps(data))
        import_areas(store, name, files / f"{name}.geojson",
                     meta={"edition": f"{name} for 2026/27", "kind": "catchment" if name == "rings" else None})
    with open(files / "facilities.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "category", "latitude", "longitude", "opening_hours", "phone"])
        for number in range(12):
            writer.writerow([f"Library {number:02d}", "Libraries", 52.0 + number * 0.002, -0.997, "Mo-Fr 09:00-17:00", "01632 960111"])
        writer.writerow(["Tip", "Recycling centres", 52.01, -0.985, "Every day 8am to 4pm", ""])
    import_facilities(store, files / "facilities.csv")
    return root


@pytest.fixture(scope="module")
def places(folder):
    return Places.open(folder, council="Testshire Council", warning_metres=100)


def codes(answer):
    return {match.layer.name: (match.area.code if match.area else None) for match in answer.areas}


def test_inside(places):
    answer = places.lookup("bk1 1aa")
    assert answer.location.postcode == "BK1 1AA"
    assert codes(answer) == {"boundary": "AREA", "wards": "W-A", "rings": "RING", "split": None}


def test_on_a_shared_edge_the_code_that_sorts_first_wins(places):
    assert codes(places.lookup("BK1 1AB"))["wards"] == "W-A"


def test_on_the_edge_the_answer_does_not_depend_on_file_order(tmp_path, folder):
    reversed_wards = dict(WARDS, features=list(reversed(WARDS["features"])))
    (tmp_path / "wards.geojson").write_text(json.dumps(reversed_wards))
    store = GeodataFolder(tmp_path / "copy")
    import_postcodes(store, _csv(tmp_path, [("BK1 1AB", 52.010, -0.990, "")]))
    import_areas(store, "wards", tmp_path / "wards.geojson")
    assert codes(Places.open(tmp_path / "copy", council="x").lookup("BK1 1AB"))["wards"] == "W-A"


def _csv(tmp_path, rows):
    path = tmp_path / "postcodes.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude", "doterm"])
        writer.writerows(rows)
    return path


def test_hole_is_not_in_the_ring(places):
    assert codes(places.lookup("BK1 1AD"))["rings"] is None


def test_island_in_the_hole(places):
    assert codes(places.lookup("BK1 1AP"))["rings"] == "ISLAND"


def test_both_pieces_of_a_multipolygon(places):
    assert codes(places.lookup("BK1 1AH"))["split"] == "SPLIT"
    assert codes(places.lookup("BK1 1AJ"))["split"] == "SPLIT"
    assert codes(places.lookup("BK1 1AA"))["split"] is None


def test_on_the_council_boundary_is_inside(places):
    assert codes(places.lookup("BK1 1AN"))["boundary"] == "AREA"


def test_outside_our_area(places):
    with pytest.raises(OutsideArea) as caught:
        places.lookup("BK1 1AF")
    assert caught.value.status == 404
    assert "Testshire Council" in caught.value.message
    assert caught.value.as_dict()["find_council"] == "https://www.gov.uk/find-local-council"


def test_a_postcode_area_we_hold_no_postcodes_in_is_outside_our_area(places):
    with pytest.raises(OutsideArea):
        places.lookup("SW1A 1AA")


@pytest.mark.parametrize("typed, postcode", [("BK01 1AA", "BK01 1AA"), ("BK1O 1AA", "BK10 1AA"), ("BK2 1AA", "BK2 1AA")])
def test_a_well_formed_postcode_in_our_postcode_area_that_we_do_not_hold_is_not_found(places, typed, postcode):
    # A slip (BK01, BK1O) or a district we hold nothing in is "we cannot find it",
    # never "outside our area": we only say that when we know where a postcode is.
    with pytest.raises(PostcodeNotFound) as caught:
        places.lookup(typed)
    assert postcode in caught.value.message


def test_unknown_postcode_in_a_district_we_hold(places):
    with pytest.raises(PostcodeNotFound) as caught:
        places.lookup("BK1 9ZZ")
    assert caught.value.status == 404
    assert "BK1 9ZZ" in caught.value.message


def test_withdrawn_postcode(places):
    with pytest.raises(PostcodeTerminated) as caught:
        places.lookup("BK1 1AG")
    assert caught.value.status == 410
    assert "March 2019" in caught.value.message
    assert caught.value.params["withdrawn"] == date(2019, 3, 1)  # the web layer words it in the reader's language


def test_not_a_postcode(places):
    with pytest.raises(NotAPostcode):
        places.lookup("hello there")


def test_near_a_boundary(places):
    near = places.lookup("BK1 1AL").area("wards")
    assert near.near_boundary
    assert 25 <= near.edge_metres <= 45
    far = places.lookup("BK1 1AA").area("wards")
    assert not far.near_boundary
    assert far.edge_metres > 100


def test_warning_distance_is_configurable(folder):
    strict = Places.open(folder, council="x", warning_metres=20)
    assert not strict.lookup("BK1 1AL").area("wards").near_boundary


def test_each_answer_carries_its_layer_edition(places):
    answer = places.lookup("BK1 1AA")
    assert answer.area("rings").layer.edition == "rings for 2026/27"
    assert answer.area("rings").layer.kind == "catchment"


def test_lookup_by_location_matches_the_postcode(places):
    by_postcode = places.lookup("BK1 1AL")
    by_point = places.lookup_point("52.010", "-0.9905")
    assert codes(by_point) == codes(by_postcode)
    assert by_point.area("wards").edge_metres == pytest.approx(by_postcode.area("wards").edge_metres, abs=1)
    assert by_point.location.postcode is None


def test_lookup_by_location_on_an_edge_uses_the_same_rule(places):
    assert codes(places.lookup_point(52.01, -0.99))["wards"] == "W-A"


def test_lookup_by_location_outside(places):
    with pytest.raises(OutsideArea):
        places.lookup_point(52.5, -0.99)


@pytest.mark.parametrize("lat, lon", [("north", "0"), (91, 0), (0, 181), ("nan", "1"), (None, 1), ("inf", 0)])
def test_bad_locations(places, lat, lon):
    with pytest.raises(NotALocation) as caught:
        places.lookup_point(lat, lon)
    assert caught.value.status == 400


def test_nearest_in_order_with_geodesic_distances(places):
    from geopy.distance import geodesic

    answer = places.lookup("BK1 1AA", "libraries", 5)
    names = [nearby.facility.name for nearby in answer.nearest]
    assert names[0] == "Library 05"  # at latitude 52.010, the same as BK1 1AA
    assert len(names) == 5
    metres = [nearby.metres for nearby in answer.nearest]
    assert metres == sorted(metres)
    for nearby in answer.nearest:
        expected = geodesic((52.010, -0.997), (nearby.facility.lat, nearby.facility.lon)).meters
        assert nearby.metres == pytest.approx(expected, abs=0.001)
        assert nearby.km == pytest.approx(nearby.metres / 1000)
        assert nearby.miles == pytest.approx(nearby.metres / 1609.344)


def test_nearest_matches_a_brute_force_geopy_ranking(places):
    from geopy.distance import geodesic

    libraries = places.facilities("libraries")
    for postcode in ("BK1 1AA", "BK1 1AH", "BK1 1AJ", "BK1 1AP"):
        location = places.locate(postcode)
        expected = sorted(geodesic((location.lat, location.lon), (f.lat, f.lon)).meters for f in libraries)[:7]
        got = [nearby.metres for nearby in places.nearest(location, "libraries", 7)]
        assert got == pytest.approx(expected, abs=0.001)


def test_asking_for_more_than_there_are(places):
    assert len(places.lookup("BK1 1AA", "recycling-centres", 5).nearest) == 1
    assert len(places.lookup("BK1 1AA", "libraries", 50).nearest) == 12


def test_unknown_category_and_layer(places):
    with pytest.raises(UnknownCategory):
        places.lookup("BK1 1AA", "zoos")
    with pytest.raises(UnknownLayer):
        places.layer("nope")


def test_layer_geojson_is_open_data(places):
    data = json.loads(places.layer_geojson("split"))
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["properties"]["code"] == "SPLIT"
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert data["layer"]["edition"] == "split for 2026/27"


def test_opening_hours_come_from_the_shared_parser(places):
    library = places.facilities("libraries")[0]
    assert library.hours.rows()[0] == ("Monday", "9am to 5pm")


def test_single_point_and_bulk_assignment_agree(places):
    import numpy as np

    from townhall.places.geometry import AreaIndex

    rng = np.random.default_rng(4)
    lon = np.concatenate([rng.uniform(-1.001, -0.979, 400), np.full(20, -0.99), np.full(20, -0.995)])
    lat = np.concatenate([rng.uniform(51.999, 52.021, 400), rng.uniform(52.0, 52.02, 40)])
    for layer in ("wards", "rings", "split", "boundary"):
        index = AreaIndex(places.data.geometries(layer), [a.code for a in places.areas(layer)])
        bulk = index.assign(lon, lat)
        assert [index.assign_point(x, y) for x, y in zip(lon, lat, strict=True)] == bulk.tolist()


def test_nearest_is_exact_against_brute_force_on_many_random_places(tmp_path):
    """The grid-square cache must never change the answer: check it against geopy."""
    import random

    from geopy.distance import geodesic

    rng = random.Random(9)
    store = GeodataFolder(tmp_path / "g")
    path = tmp_path / "f.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "category", "latitude", "longitude"])
        for number in range(400):
            # clustered, so many facilities sit close together and near square edges
            cluster = rng.choice([(52.0, -1.0), (52.05, -0.9), (52.2, -1.3)])
            writer.writerow([f"F{number:03d}", "Things", cluster[0] + rng.gauss(0, 0.03), cluster[1] + rng.gauss(0, 0.05)])
    import_facilities(store, path)
    places = Places.open(tmp_path / "g", council="x")
    things = places.facilities("things")
    for _ in range(50):
        lat, lon = rng.uniform(51.9, 52.3), rng.uniform(-1.4, -0.8)
        location = places.locate_point(lat, lon)
        everything = sorted(geodesic((lat, lon), (f.lat, f.lon)).meters for f in things)
        for count in (1, 5, 12):
            expected = everything[:count]
            got = [nearby.metres for nearby in places.nearest(location, "things", count)]
            assert got == pytest.approx(expected, abs=0.001)


def test_nearest_worked_out_at_import_is_exact_against_brute_force(tmp_path):
    """Postcodes' answers are the lists the import stored; check them against geopy."""
    import random

    from geopy.distance import geodesic

    rng = random.Random(11)
    store = GeodataFolder(tmp_path / "g")
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    with open(tmp_path / "p.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude"])
        postcodes = []
        for number in range(60):
            postcode = f"BK{1 + number % 9} {number % 10}{letters[number % 20]}{letters[number // 20]}"
            postcodes.append(postcode)
            writer.writerow([postcode, rng.uniform(51.95, 52.25), rng.uniform(-1.35, -0.85)])
    import_postcodes(store, tmp_path / "p.csv")
    with open(tmp_path / "f.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "category", "latitude", "longitude"])
        for number in range(300):
            cluster = rng.choice([(52.0, -1.0), (52.1, -1.2), (52.2, -0.9)])
            writer.writerow([f"F{number:03d}", "Things", cluster[0] + rng.gauss(0, 0.04), cluster[1] + rng.gauss(0, 0.06)])
    import_facilities(store, tmp_path / "f.csv")
    places = Places.open(tmp_path / "g", council="x")
    assert places.data.nearest_lists("things") is not None
    things = places.facilities("things")
    for postcode in postcodes:
        location = places.locate(postcode)
        everything = sorted((geodesic((location.lat, location.lon), (f.lat, f.lon)).meters, f.id) for f in things)
        for count in (1, 3, 5, 10):
            got = places.lookup(postcode, "things", count).nearest
            assert [nearby.facility.id for nearby in got] == [fid for _, fid in everything[:count]]
            assert [nearby.metres for nearby in got] == pytest.approx([m for m, _ in everything[:count]], abs=0.01)
    assert "things" not in places._category_indexes  # never needed the live path
