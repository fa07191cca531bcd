"""GeoJSON by RFC 7946: exterior rings anticlockwise, holes clockwise, on every path that
writes or publishes a layer (imports, the stored demo, the demo's files, the API's answer)."""

from __future__ import annotations

import json

import shapely

from townhall.config import PROJECT_ROOT
from townhall.places.demo import write_sources
from townhall.places.engine import Places
from townhall.places.geometry import rfc7946
from townhall.places.importers import import_areas
from townhall.places.store import GeodataFolder, StoredGeodata

# A square with a square hole, both drawn the wrong way round (exterior clockwise, hole anticlockwise),
# and a plain clockwise square: how many real boundary files arrive.
OUTER_CLOCKWISE = [[-1.30, 51.70], [-1.30, 51.80], [-1.20, 51.80], [-1.20, 51.70], [-1.30, 51.70]]
HOLE_ANTICLOCKWISE = [[-1.27, 51.73], [-1.23, 51.73], [-1.23, 51.77], [-1.27, 51.77], [-1.27, 51.73]]
SQUARE_CLOCKWISE = [[-1.10, 51.70], [-1.10, 51.80], [-1.00, 51.80], [-1.00, 51.70], [-1.10, 51.70]]
WRONG_WAY = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "A1", "name": "Holey"},
     "geometry": {"type": "Polygon", "coordinates": [OUTER_CLOCKWISE, HOLE_ANTICLOCKWISE]}},
    {"type": "Feature", "properties": {"code": "B1", "name": "Two parts"},
     "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE_CLOCKWISE], [OUTER_CLOCKWISE, HOLE_ANTICLOCKWISE]]}},
]}


def test_the_check_itself_sees_wrong_way_rings(rfc7946_problems):
    assert len(rfc7946_problems(WRONG_WAY)) == 5


def test_rfc7946_turns_exteriors_anticlockwise_and_holes_clockwise(rfc7946_problems):
    shapes = [shapely.geometry.shape(feature["geometry"]) for feature in WRONG_WAY["features"]]
    turned = rfc7946(shapes)
    collection = {"features": [{"geometry": json.loads(shapely.to_geojson(shape))} for shape in turned]}
    assert rfc7946_problems(collection) == []
    assert all(shapely.equals(a, b) for a, b in zip(shapes, turned, strict=True))  # the same areas, only the ring order differs


def test_an_imported_layer_is_stored_and_published_the_rfc7946_way(tmp_path, rfc7946_problems):
    source = tmp_path / "holey.geojson"
    source.write_text(json.dumps(WRONG_WAY), encoding="utf-8")
    folder = GeodataFolder(tmp_path / "geodata")
    import_areas(folder, "holey", source, code_property="code", name_property="name")
    stored = StoredGeodata(folder.current).geometries("holey")
    stored_collection = {"features": [{"id": i, "geometry": json.loads(shapely.to_geojson(g))} for i, g in enumerate(stored)]}
    assert rfc7946_problems(stored_collection) == []
    published = json.loads(Places.open(folder.root, council="Test").layer_geojson("holey"))
    assert rfc7946_problems(published) == []
    holes = [ring for feature in published["features"] for polygon in (
        [feature["geometry"]["coordinates"]] if feature["geometry"]["type"] == "Polygon"
        else feature["geometry"]["coordinates"]) for ring in polygon[1:]]
    assert len(holes) == 2  # the holes survived the import


def test_the_demo_files_and_the_committed_demo_data_are_rfc7946(tmp_path, rfc7946_problems):
    files = write_sources(tmp_path)
    layers = [name for name, path in files.items() if path.suffix == ".geojson"]
    assert len(layers) == 6
    for name in layers:
        assert rfc7946_problems(json.loads(files[name].read_text(encoding="utf-8"))) == [], name
    stored = StoredGeodata(GeodataFolder(PROJECT_ROOT / "geodata").current)
    for layer in stored.layers:
        collection = {"features": [{"id": i, "geometry": json.loads(shapely.to_geojson(g))}
                                   for i, g in enumerate(stored.geometries(layer.name))]}
        assert rfc7946_problems(collection) == [], layer.name
