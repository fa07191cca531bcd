"""Importers: the formats councils have, every bad row named, and nothing changed on failure."""

import json

import numpy as np
import pytest

from townhall.places.engine import Places
from townhall.places.geometry import to_grid
from townhall.places.importers import (
    ImportFailed,
    import_areas,
    import_facilities,
    import_postcodes,
    read_areas,
    read_postcodes,
)
from townhall.places.store import GeodataFolder, StoredGeodata

SQUARE = [[-1.0, 52.0], [-0.98, 52.0], [-0.98, 52.02], [-1.0, 52.02], [-1.0, 52.0]]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def layer(features, **extra):
    return json.dumps({"type": "FeatureCollection", **extra, "features": features})


def feature(properties, coordinates=None, kind="Polygon"):
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": kind, "coordinates": coordinates or [SQUARE]}}


# --- postcodes ------------------------------------------------------------------


def test_ons_postcode_directory_columns(tmp_path):
    east, north = to_grid(np.array([-0.99]), np.array([52.01]))
    csv_text = (
        "pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,osgrdind,lat,long\n"
        "BK1 1AA,BK1  1AA,BK1 1AA,198001,,,,9,99.999999,0.000000\n"  # no grid reference: left out
        f"BK1 1AB,BK1  1AB,BK1 1AB,198001,,{east[0]:.0f},{north[0]:.0f},1,52.010000,-0.990000\n"
        f"BK1 1AD,BK1  1AD,BK1 1AD,198001,201903,{east[0]:.0f},{north[0]:.0f},1,52.010000,-0.990000\n"
    )
    rows = read_postcodes(write(tmp_path / "onspd.csv", csv_text))
    assert rows.problems == []
    assert rows.postcodes == ["BK1 1AB", "BK1 1AD"]
    assert rows.no_location == 1
    assert list(rows.withdrawn) == [0, 201903]
    assert rows.lat[0] == pytest.approx(52.01)
    assert rows.east[0] == pytest.approx(east[0], abs=1)


def test_code_point_open_without_a_header_row(tmp_path):
    east, north = to_grid(np.array([-0.99]), np.array([52.01]))
    csv_text = f'"BK1 1AB",10,{east[0]:.0f},{north[0]:.0f},"E92000001","E19000001","E18000001","","E07000001","E05000001"\n'
    csv_text += f'"BK11AD",10,{east[0] + 100:.0f},{north[0]:.0f},"E92000001","E19000001","E18000001","","E07000001","E05000001"\n'
    rows = read_postcodes(write(tmp_path / "bk.csv", csv_text))
    assert rows.problems == []
    assert rows.postcodes == ["BK1 1AB", "BK1 1AD"]
    assert rows.lat[0] == pytest.approx(52.01, abs=1e-5)
    assert rows.lon[0] == pytest.approx(-0.99, abs=1e-5)


def test_code_point_open_with_its_column_names(tmp_path):
    east, north = to_grid(np.array([-0.99]), np.array([52.01]))
    text = f"Postcode,Positional_quality_indicator,Eastings,Northings\nBK1 1AB,10,{east[0]:.0f},{north[0]:.0f}\n"
    rows = read_postcodes(write(tmp_path / "cpo.csv", text))
    assert rows.postcodes == ["BK1 1AB"] and rows.problems == []


def test_plain_columns_and_named_columns(tmp_path):
    rows = read_postcodes(write(tmp_path / "plain.csv", "postcode,latitude,longitude\nbk1 1ab,52.01,-0.99\n"))
    assert rows.postcodes == ["BK1 1AB"]
    from townhall.places.importers import PostcodeColumns

    text = "code,y_wgs,x_wgs\nBK1 1AB,52.01,-0.99\n"
    named = read_postcodes(write(tmp_path / "named.csv", text),
                           PostcodeColumns(postcode="code", latitude="y_wgs", longitude="x_wgs"))
    assert named.postcodes == ["BK1 1AB"] and named.lat[0] == pytest.approx(52.01)


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    text = (
        "postcode,latitude,longitude,doterm\n"
        "BK1 1AB,52.01,-0.99,\n"
        "not a postcode,52.01,-0.99,\n"  # line 3
        "BK1 1AD,fifty-two,-0.99,\n"  # line 4
        "BK1 1AE,-0.99,52.01,\n"  # line 5: swapped? no: -0.99 is a fine latitude, 52.01 a fine longitude
        "BK1 1AF,152.01,-0.99,\n"  # line 6: not on Earth
        "BK1 1AB,52.01,-0.99,\n"  # line 7: duplicate of line 2
        "BK1 1AG,52.01,-0.99,March\n"  # line 8: bad date
        "BK1 1AH\n"  # line 9: too few columns
        "BKO 1AJ,52.01,-0.99,\n"  # line 10: a data file should not need guessing
    )
    rows = read_postcodes(write(tmp_path / "bad.csv", text))
    found = {problem.where: problem.message for problem in rows.problems}
    assert set(found) == {"line 3", "line 4", "line 6", "line 7", "line 8", "line 9", "line 10"}
    assert "not a postcode" in found["line 3"]
    assert "not numbers" in found["line 4"]
    assert "not on Earth" in found["line 6"]
    assert "already on line 2" in found["line 7"]
    assert "201903" in found["line 8"]
    assert "did you mean BK0 1AJ" in found["line 10"]


def test_missing_columns_are_explained(tmp_path):
    with pytest.raises(ImportFailed) as caught:
        read_postcodes(write(tmp_path / "x.csv", "name,latitude,longitude\nx,1,2\n"))
    assert "no postcode column" in str(caught.value.problems[0])
    with pytest.raises(ImportFailed) as caught:
        read_postcodes(write(tmp_path / "y.csv", "postcode,colour\nBK1 1AB,red\n"))
    assert "no coordinates" in str(caught.value.problems[0])
    with pytest.raises(ImportFailed):
        read_postcodes(tmp_path / "missing.csv")


# --- atomic imports -------------------------------------------------------------


@pytest.fixture
def imported(tmp_path):
    folder = GeodataFolder(tmp_path / "geodata")
    import_postcodes(folder, write(tmp_path / "p.csv", "postcode,latitude,longitude\nBK1 1AB,52.01,-0.99\n"))
    import_areas(folder, "wards", write(tmp_path / "w.geojson", layer([feature({"code": "W1", "name": "Ward one"})])))
    return folder


def snapshot(folder):
    current = folder.current
    return current.name, {p.relative_to(current): p.read_bytes() for p in current.rglob("*") if p.is_file()}


def test_a_failed_import_changes_nothing(tmp_path, imported):
    before = snapshot(imported)
    bad = write(tmp_path / "bad.csv", "postcode,latitude,longitude\nBK1 1AB,52.01,-0.99\nnope,1,1\n")
    with pytest.raises(ImportFailed) as caught:
        import_postcodes(imported, bad)
    assert str(caught.value.problems[0]).startswith("Line 3:")
    assert snapshot(imported) == before
    assert not list(imported.root.glob(".building-*"))


def test_an_import_that_crashes_midway_changes_nothing(tmp_path, imported, monkeypatch):
    before = snapshot(imported)
    from townhall.places import build

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "_postcode_columns", explode)
    with pytest.raises(RuntimeError):
        import_areas(imported, "parishes", write(tmp_path / "p.geojson", layer([feature({"code": "P1"})])))
    assert snapshot(imported) == before
    assert not list(imported.root.glob(".building-*"))


def test_a_new_import_never_touches_the_files_a_running_site_has_open(tmp_path, imported):
    old = imported.current
    old_bytes = (old / "postcodes" / "areas.npy").read_bytes()
    import_areas(imported, "wards", write(tmp_path / "w2.geojson", layer([feature({"code": "W2"})])))
    assert imported.current != old
    assert (old / "postcodes" / "areas.npy").read_bytes() == old_bytes  # hard links were not written through
    data = StoredGeodata(imported.current)
    assert data.areas["wards"][0].code == "W2"


def test_skip_bad_rows_imports_the_rest_and_lists_them(tmp_path, imported):
    text = "postcode,latitude,longitude\nBK1 1AB,52.01,-0.99\nnope,1,1\nBK1 1AD,52.011,-0.99\n"
    report = import_postcodes(imported, write(tmp_path / "mixed.csv", text), skip_bad_rows=True)
    assert report.imported == 2
    assert [problem.where for problem in report.skipped] == ["line 3"]
    assert any("Line 3:" in line for line in report.lines())
    assert Places.open(imported.root, council="x").lookup("BK1 1AD").area("wards").area.code == "W1"


def test_reimporting_postcodes_recomputes_every_layer(tmp_path, imported):
    import_postcodes(imported, write(tmp_path / "new.csv", "postcode,latitude,longitude\nBK1 1AD,52.011,-0.99\nBK1 1AE,53,-0.99\n"))
    places = Places.open(imported.root, council="x")
    assert places.lookup("BK1 1AD").area("wards").area.code == "W1"
    assert places.lookup("BK1 1AE").area("wards").area is None


def test_old_generations_are_pruned(tmp_path, imported):
    for number in range(4):
        import_areas(imported, "wards", write(tmp_path / f"w{number}.geojson", layer([feature({"code": f"W{number}"})])))
    assert len(list(imported.root.glob("g-*"))) == 2  # the current one and the one before


# --- area layers ----------------------------------------------------------------


def test_ons_property_names_are_guessed(tmp_path):
    features = [feature({"WD13CD": "E05000001", "WD13CDO": "00AA", "WD13NM": "Abbey", "WD13NMW": None, "LAD13CD": "E07"}),
                feature({"WD13CD": "E05000002", "WD13CDO": "00AB", "WD13NM": "Bridge", "WD13NMW": None, "LAD13CD": "E07"},
                        [[[-0.98, 52.0], [-0.96, 52.0], [-0.96, 52.02], [-0.98, 52.02], [-0.98, 52.0]]])]
    rows = read_areas(write(tmp_path / "w.geojson", layer(features)))
    assert rows.code_property == "WD13CD" and rows.name_property == "WD13NM"
    assert rows.codes == ["E05000001", "E05000002"]
    assert rows.properties[0]["LAD13CD"] == "E07"


def test_named_properties(tmp_path):
    rows = read_areas(write(tmp_path / "w.geojson", layer([feature({"ref": "A", "label": "Zone A", "school": "X"})])),
                      code_property="ref", name_property="label")
    assert rows.codes == ["A"] and rows.names == ["Zone A"]
    with pytest.raises(ImportFailed) as caught:
        read_areas(tmp_path / "w.geojson", code_property="nope")
    assert 'no property called "nope"' in str(caught.value.problems[0])


def test_british_national_grid_layers_are_reprojected(tmp_path):
    east, north = to_grid(np.array([-1.0, -0.98]), np.array([52.0, 52.02]))
    ring = [[east[0], north[0]], [east[1], north[0]], [east[1], north[1]], [east[0], north[1]], [east[0], north[0]]]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    rows = read_areas(write(tmp_path / "bng.geojson", layer([feature({"code": "A"}, [ring])], crs=crs)))
    minx, miny, maxx, maxy = rows.geometries[0].bounds
    assert minx == pytest.approx(-1.0, abs=1e-3) and maxy == pytest.approx(52.02, abs=1e-3)


def test_grid_coordinates_without_a_crs_get_a_hint(tmp_path):
    ring = [[450000, 250000], [451000, 250000], [451000, 251000], [450000, 250000]]
    with pytest.raises(ImportFailed) as caught:
        import_areas(GeodataFolder(tmp_path / "g"), "wards", write(tmp_path / "x.geojson", layer([feature({"code": "A"}, [ring])])))
    assert "--crs EPSG:27700" in str(caught.value.problems[0])


def test_invalid_rings_are_repaired_and_reported(tmp_path):
    bowtie = [[[-1.0, 52.0], [-0.98, 52.02], [-0.98, 52.0], [-1.0, 52.02], [-1.0, 52.0]]]
    report = import_areas(GeodataFolder(tmp_path / "g"), "wards",
                          write(tmp_path / "bow.geojson", layer([feature({"code": "BOW", "name": "Bow tie"}, bowtie)])))
    assert any("Repaired feature 1 (BOW Bow tie)" in line and "Self-intersection" in line for line in report.lines())
    geometry = StoredGeodata(GeodataFolder(tmp_path / "g").current).geometries("wards")[0]
    assert geometry.is_valid and geometry.area > 0


def test_every_bad_feature_is_reported(tmp_path):
    features = [
        feature({"code": "A"}),
        feature({"code": "A"}),  # duplicate code
        {"type": "Feature", "properties": {"code": "P"}, "geometry": {"type": "Point", "coordinates": [-1, 52]}},
        feature({"code": ""}),
        {"type": "Feature", "properties": {"code": "E"}, "geometry": {"type": "Polygon", "coordinates": []}},
    ]
    with pytest.raises(ImportFailed) as caught:
        import_areas(GeodataFolder(tmp_path / "g"), "wards", write(tmp_path / "bad.geojson", layer(features)),
                     code_property="code")
    wheres = [problem.where for problem in caught.value.problems]
    assert wheres == ["feature 2 (A A)", "feature 3 (P P)", "feature 4", "feature 5 (E E)"]
    assert not (tmp_path / "g" / "CURRENT").exists()


@pytest.mark.parametrize("text, expected", [
    ("not json", "not valid JSON"),
    ('{"type": "Feature"}', "FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', "no features"),
])
def test_files_that_are_not_layers(tmp_path, text, expected):
    with pytest.raises(ImportFailed) as caught:
        import_areas(GeodataFolder(tmp_path / "g"), "wards", write(tmp_path / "x.geojson", text))
    assert expected in str(caught.value.problems[0])


def test_layer_names_are_checked(tmp_path):
    with pytest.raises(ImportFailed) as caught:
        import_areas(GeodataFolder(tmp_path / "g"), "../etc", write(tmp_path / "w.geojson", layer([feature({"code": "A"})])))
    assert "lower-case letters" in str(caught.value.problems[0])


def test_dissolve_makes_one_boundary_area(tmp_path):
    features = [feature({"code": "A"}), feature({"code": "B"}, [[[-0.98, 52.0], [-0.96, 52.0], [-0.96, 52.02], [-0.98, 52.02], [-0.98, 52.0]]])]
    rows = read_areas(write(tmp_path / "w.geojson", layer(features)), dissolve=("E07", "Testshire"))
    assert rows.codes == ["E07"] and rows.geometries[0].geom_type == "Polygon"
    assert rows.geometries[0].area == pytest.approx(0.04 * 0.02)


def test_layer_metadata_from_the_file_and_the_command(tmp_path):
    folder = GeodataFolder(tmp_path / "g")
    text = layer([feature({"code": "A"})], townhall={"title": "Catchments", "edition": "for 2025/26 entry"})
    import_areas(folder, "catchments", write(tmp_path / "c.geojson", text), meta={"edition": "for 2026/27 entry"})
    entry = folder.manifest()["layers"][0]
    assert entry["title"] == "Catchments" and entry["edition"] == "for 2026/27 entry"


# --- facilities -----------------------------------------------------------------


def test_facilities_from_csv_with_every_field(tmp_path, imported):
    text = ("name,category,address,postcode,latitude,longitude,phone,email,website,opening_hours,accessibility\n"
            "Central Library,Libraries,1 High Street,BK1 1AB,52.01,-0.99,01632 960123,lib@brackenford.example,"
            "https://lib.example,Mo-Fr 09:00-17:00,Step-free\n"
            "Placed by postcode,Libraries,,BK1 1AB,,,,,,,\n")
    report = import_facilities(imported, write(tmp_path / "f.csv", text))
    assert report.imported == 2
    places = Places.open(imported.root, council="x")
    central, placed = places.facilities("libraries")
    assert central.phone == "01632 960123" and central.hours.rows()[0] == ("Monday", "9am to 5pm")
    assert placed.lat == pytest.approx(52.01) and placed.id == "placed-by-postcode"


def test_facilities_from_geojson_points(tmp_path, imported):
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Tip", "category": "Recycling centres", "opening_hours": "24/7"},
         "geometry": {"type": "Point", "coordinates": [-0.99, 52.01]}}]})
    import_facilities(imported, write(tmp_path / "f.geojson", text))
    tip = Places.open(imported.root, council="x").facilities("recycling-centres")[0]
    assert tip.lon == pytest.approx(-0.99) and tip.hours.is_open_now()


def test_every_bad_facility_is_reported_and_nothing_changes(tmp_path, imported):
    import_facilities(imported, write(tmp_path / "ok.csv", "name,category,latitude,longitude\nA,Libraries,52.01,-0.99\n"))
    before = snapshot(imported)
    text = ("name,category,postcode,latitude,longitude,opening_hours,website,email\n"
            ",Libraries,,52.01,-0.99,,,\n"  # line 2: no name
            "B,Libraries,,,,,,\n"  # line 3: nowhere
            "C,Libraries,BK9 9ZZ,,,,,\n"  # line 4: unknown postcode
            "D,Libraries,,52.01,-0.99,Mondays at teatime,,\n"  # line 5: hours
            "E,Libraries,,52.01,-0.99,,www.example.org,\n"  # line 6: website
            "F,Libraries,,52.01,-0.99,,,not-an-email\n"  # line 7
            "G,Libraries,,52.01,-0.99,Monday to Friday 9am to 5pm,,\n")  # fine
    with pytest.raises(ImportFailed) as caught:
        import_facilities(imported, write(tmp_path / "bad.csv", text))
    wheres = [problem.where.split(" (")[0] for problem in caught.value.problems]
    assert wheres == ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7"]
    messages = " ".join(str(problem) for problem in caught.value.problems)
    assert "BK9 9ZZ is not in our postcode data" in messages and "opening hours" in messages
    assert snapshot(imported) == before
