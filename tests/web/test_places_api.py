"""The places JSON API: the same answers as the pages, open data, and JSON errors."""

from __future__ import annotations

import pytest

from townhall import create_app


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("instance"))})
    return app.test_client()


def test_postcode_answer(api):
    response = api.get("/api/postcodes/bk11aa")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["location"]["postcode"] == "BK1 1AA"
    layers = {area["layer"]: area for area in data["areas"]}
    assert set(layers) >= {"boundary", "wards", "primary-catchments", "secondary-catchments", "bin-rounds", "parishes"}
    assert layers["primary-catchments"]["edition"] == "catchment areas for 2026/27 entry"
    assert layers["wards"]["area"]["properties"]["councillors"]
    assert isinstance(layers["wards"]["near_boundary"], bool)


def test_postcode_answer_with_nearest(api):
    data = api.get("/api/postcodes/BK1%201AA?category=libraries&count=3").get_json()
    assert len(data["nearest"]) == 3
    first = data["nearest"][0]
    assert first["distance"]["miles"] == pytest.approx(first["distance"]["metres"] / 1609.344, abs=0.001)
    assert first["opening_hours"]["week"][0]["day"] == "Monday"
    assert isinstance(first["open_now"], bool)


def test_nearest_by_postcode_and_by_location_agree(api):
    by_postcode = api.get("/api/nearest?category=libraries&postcode=BK1 1AA").get_json()
    location = by_postcode["location"]
    by_point = api.get(f"/api/nearest?category=libraries&lat={location['latitude']}&lon={location['longitude']}").get_json()
    assert [r["id"] for r in by_postcode["results"]] == [r["id"] for r in by_point["results"]]
    assert by_point["location"]["postcode"] is None


@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/api/postcodes/hello", 400, "not_a_postcode"),
        ("/api/postcodes/BK1%209ZZ", 404, "postcode_not_found"),
        ("/api/postcodes/SW1A1AA", 404, "outside_area"),
        ("/api/postcodes/BK01%201AA", 404, "postcode_not_found"),  # a slip in our postcode area
        ("/api/postcodes/BK1%201AA?category=zoos", 404, "unknown_category"),
        ("/api/nearest?postcode=BK1%201AA", 400, "no_category"),
        ("/api/nearest?category=libraries&postcode=BK1%201AA&count=0", 400, "bad_count"),
        ("/api/nearest?category=libraries&postcode=BK1%201AA&count=lots", 400, "bad_count"),
        ("/api/nearest?category=libraries&lat=200&lon=0", 400, "not_a_location"),
        ("/api/areas/nowhere.geojson", 404, "unknown_layer"),
    ],
)
def test_errors_are_json_with_plain_messages(api, url, status, code):
    response = api.get(url)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["status"] == status
    assert error["message"] and error["message"][0].isupper() or error["message"][0] == "“"


def test_withdrawn_is_gone(api):
    from townhall.config import PROJECT_ROOT
    from townhall.places.store import GeodataFolder, StoredGeodata

    data = StoredGeodata(GeodataFolder(PROJECT_ROOT / "geodata").current)
    withdrawn = data.keys[data.withdrawn.nonzero()[0][0]].decode()
    response = api.get(f"/api/postcodes/{withdrawn}")
    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == "postcode_terminated"


def test_layers_as_geojson_open_data(api):
    listing = api.get("/api/areas").get_json()["layers"]
    assert [layer["name"] for layer in listing][0] == "boundary"
    for layer in listing:
        response = api.get(f"/api/areas/{layer['name']}.geojson")
        assert response.status_code == 200 and response.mimetype == "application/geo+json"
        data = response.get_json(force=True)
        assert data["type"] == "FeatureCollection" and len(data["features"]) == layer["area_count"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_every_ring_of_every_layer_runs_the_rfc7946_way(api, rfc7946_problems):
    for layer in api.get("/api/areas").get_json()["layers"]:
        for headers in ({}, {"HX-Request": "true"}):
            data = api.get(f"/api/areas/{layer['name']}.geojson", headers=headers).get_json(force=True)
            assert data["features"] and rfc7946_problems(data) == [], layer["name"]


def test_openapi_document_describes_every_route(api, ):
    document = api.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {"/api/postcodes/{postcode}", "/api/nearest", "/api/areas/{layer}.geojson"}
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {"not_a_postcode", "postcode_not_found", "postcode_terminated", "outside_area"} <= set(codes)


def test_categories(api):
    categories = api.get("/api/categories").get_json()["categories"]
    assert len(categories) >= 6 and sum(c["count"] for c in categories) >= 80


def test_outside_our_area_says_where_to_find_your_council(api):
    error = api.get("/api/postcodes/SW1A1AA").get_json()["error"]
    assert error["find_council"] == "https://www.gov.uk/find-local-council"
    assert "Brackenford District Council" in error["message"]


def test_a_count_in_other_digits_is_a_kind_error(client):
    answer = client.get("/api/nearest", query_string={"category": "libraries", "postcode": "BK1 1AA", "count": "²"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"]
