"""The OpenAPI document: every JSON route of the app in it, valid OpenAPI 3.1, and real
responses that match the schemas it gives."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from townhall.cases.hearback import HearBackError
from townhall.opendata.errors import ERROR_CLASSES
from townhall.places.errors import PlacesError
from townhall.web.ask import BadLanguage, NoQuestion

DOC_URI = "urn:townhall-test:openapi"
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/openapi.json").get_json()


def api_routes(app) -> set[str]:
    """Every route of the app under /api/, written the OpenAPI way: <path:postcode> -> {postcode}."""
    return {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}


def test_every_api_route_of_the_app_is_in_the_document(app, document):
    missing = api_routes(app) - set(document["paths"])
    assert not missing, f"routes missing from /api/openapi.json: {sorted(missing)}"
    assert not set(document["paths"]) - api_routes(app), "the document describes routes that do not exist"


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_operation_is_named_and_every_response_has_a_schema(document):
    operation_ids = []
    for path, item in document["paths"].items():
        for operation in item.values():
            operation_ids.append(operation["operationId"])
            for status, response in operation["responses"].items():
                if status.startswith("3"):
                    assert "Location" in response["headers"], path
                    continue
                (media,) = response["content"].values()
                schema = media["schema"]
                assert schema != {"type": "object"} or path.startswith("/api/openreferral/service_at_locations")
    assert len(operation_ids) == len(set(operation_ids))


def test_the_error_codes_are_the_real_ones(document):
    codes = set(document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    places = {cls.code for cls in subclasses(PlacesError)}
    assert places >= {"bad_count", "not_a_postcode", "geodata_missing"}  # BadCount lives in places_api
    page_only = {"odd_category"}  # the places pages' own error, never sent by the JSON API
    hear_back = {cls.code for cls in subclasses(HearBackError)}
    assert hear_back >= {"unknown_contact", "not_a_date", "date_too_early"}
    ask = {cls.code for cls in (NoQuestion, BadLanguage)}  # /api/ask's own
    assert codes == (places - page_only) | {cls.code for cls in ERROR_CLASSES} | hear_back | ask


def test_the_council_is_not_written_into_the_document(make_app, content_copy):
    council = content_copy / "council.yaml"
    council.write_text(council.read_text().replace("Brackenford District Council", "Testshire County Council"))
    app = make_app(TOWNHALL_CONTENT=str(content_copy))
    text = app.test_client().get("/api/openapi.json").get_data(as_text=True)
    assert "Testshire County Council" in json.loads(text)["info"]["title"]
    assert "Brackenford" not in text


def test_postcode_or_location_precedence_is_documented(document):
    nearest = document["paths"]["/api/nearest"]["get"]
    assert "location wins" in nearest["description"]
    lat = next(p for p in nearest["parameters"] if p["name"] == "lat")
    assert "precedence" in lat["description"]


def test_the_document_is_the_same_for_htmx(client):
    assert client.get("/api/openapi.json", headers=HX).get_json() == client.get("/api/openapi.json").get_json()


# --- real responses against the document's own schemas ----------------------------------------


def response_validator(document: dict, path: str, status: int, media: str = "application/json"):
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(document, default_specification=DRAFT202012))
    pointer = "/".join(quote(part.replace("~", "~0").replace("/", "~1"), safe="~")
                       for part in ("paths", path, "get", "responses", str(status), "content", media, "schema"))
    return Draft202012Validator({"$ref": f"{DOC_URI}#/{pointer}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def example_ids(app):
    client = app.test_client()
    service = client.get("/api/openreferral/services").get_json()["contents"][0]
    term = client.get("/api/openreferral/taxonomy_terms").get_json()["contents"][0]
    from townhall import clock

    return {"service": service["id"], "organization": service["organization_id"], "term": term["id"],
            "taxonomy": term["taxonomy_id"], "today": clock.today(None, None).isoformat()}


CASES = [
    ("/api/postcodes/BK1%201AA?category=libraries&count=3", "/api/postcodes/{postcode}", 200),
    ("/api/postcodes/hello", "/api/postcodes/{postcode}", 400),
    ("/api/postcodes/SW1A1AA", "/api/postcodes/{postcode}", 404),
    ("/api/nearest?category=libraries&postcode=BK1%201AA", "/api/nearest", 200),
    ("/api/nearest?category=libraries&lat=200&lon=0", "/api/nearest", 400),
    ("/api/areas", "/api/areas", 200),
    ("/api/areas/nowhere.geojson", "/api/areas/{layer}.geojson", 404),
    ("/api/categories", "/api/categories", 200),
    ("/api/openapi.json", "/api/openapi.json", 200),
    ("/api/openreferral/", "/api/openreferral/", 200),
    ("/api/openreferral/services?per_page=50", "/api/openreferral/services", 200),
    ("/api/openreferral/services?full=true", "/api/openreferral/services", 200),
    ("/api/openreferral/services?page=zero", "/api/openreferral/services", 400),
    ("/api/openreferral/services/{service}", "/api/openreferral/services/{id}", 200),
    ("/api/openreferral/services/nope", "/api/openreferral/services/{id}", 404),
    ("/api/openreferral/organizations", "/api/openreferral/organizations", 200),
    ("/api/openreferral/organizations/{organization}", "/api/openreferral/organizations/{id}", 200),
    ("/api/openreferral/taxonomies", "/api/openreferral/taxonomies", 200),
    ("/api/openreferral/taxonomies/{taxonomy}", "/api/openreferral/taxonomies/{id}", 200),
    ("/api/openreferral/taxonomy_terms", "/api/openreferral/taxonomy_terms", 200),
    ("/api/openreferral/taxonomy_terms/{term}", "/api/openreferral/taxonomy_terms/{id}", 200),
    ("/api/openreferral/service_at_locations", "/api/openreferral/service_at_locations", 200),
    ("/api/openreferral/service_at_locations/nope", "/api/openreferral/service_at_locations/{id}", 404),
    ("/api/when-will-i-hear-back?contact=email&sent={today}", "/api/when-will-i-hear-back", 200),
    ("/api/when-will-i-hear-back?contact=voicemail&sent={today}", "/api/when-will-i-hear-back", 200),
    ("/api/when-will-i-hear-back?contact=owl&sent={today}", "/api/when-will-i-hear-back", 400),
    ("/api/when-will-i-hear-back?contact=email&sent=2026-02-30", "/api/when-will-i-hear-back", 400),
]


@pytest.mark.parametrize("url, path, status", CASES)
def test_real_responses_match_the_documented_schemas(client, document, example_ids, url, path, status):
    response = client.get(url.format(**example_ids))
    assert response.status_code == status
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in response_validator(document, path, status).iter_errors(response.get_json())]
    assert not errors


def test_a_geojson_layer_matches_its_schema(client, document):
    response = client.get("/api/areas/wards.geojson")
    body = response.get_json(force=True)
    assert not list(response_validator(document, "/api/areas/{layer}.geojson", 200, "application/geo+json")
                    .iter_errors(body))


def test_the_schema_check_catches_a_wrong_response(document):
    checker = response_validator(document, "/api/openreferral/services/{id}", 200)
    assert list(checker.iter_errors({"id": "not-a-uuid", "name": "x", "status": "open"}))
