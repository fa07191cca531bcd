"""/api/openreferral/ checked against the published Open Referral UK 3.0 specification and the
UK profile's compiled schemas in ../shared/standards/open-referral-uk (skipped when absent).

JSON Schema draft 2020-12 with format checking on (email, uri, uuid, date-time are really
checked: the format extras are installed), on every record of every page. The tests replay
what the ORUK validator does: read `/`, call every endpoint of the specification, walk the
pages (first, middle, last), then check what a careful consumer would: an empty page past
the end, and each filter the specification lists.
"""

from __future__ import annotations

import json
import math
from urllib.parse import quote, urlencode

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from townhall.config import PROJECT_ROOT

STANDARDS = PROJECT_ROOT.parent / "shared" / "standards" / "open-referral-uk"
BASE = "/api/openreferral"
SPEC_URI = "urn:townhall-test:oruk-3.0-openapi"
UK_PROFILE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/"
LOCAL_EXTENSIONS = {"x_townhall_phones"}  # our documented local property (the profile allows such, named apart)

pytestmark = [
    pytest.mark.standards,
    pytest.mark.skipif(not STANDARDS.is_dir(), reason="../shared/standards/open-referral-uk is not here"),
]


def load(name: str) -> dict:
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def spec() -> dict:
    return load("oruk-3.0-openapi.json")


@pytest.fixture(scope="module")
def registry(spec) -> Registry:
    """The specification and the profile's schemas, found locally under the addresses the specification uses."""
    resources = [(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))]
    for name in ("service.json", "service_list.json"):
        resources.append((UK_PROFILE + name, Resource.from_contents(load(name), default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def validator(schema: dict, registry: Registry) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def response_schema(path: str) -> dict:
    """The specification's 200 response schema for a path, by reference so its own $refs resolve."""
    pointer = quote(path.replace("~", "~0").replace("/", "~1"), safe="~")  # {id} must be %7Bid%7D in a URI
    return {"$ref": f"{SPEC_URI}#/paths/{pointer}/get/responses/200/content/application~1json/schema"}


def errors_of(found: Draft202012Validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found.iter_errors(instance)]


@pytest.fixture(scope="module")
def service_schema(registry):
    return validator(load("service.json"), registry)


@pytest.fixture(scope="module")
def service_list_schema(registry):
    return validator(load("service_list.json"), registry)


@pytest.fixture(scope="module")
def api(app):
    client = app.test_client()

    def get(path: str, **query):
        url = BASE + path + (f"?{urlencode(query)}" if query else "")
        response = client.get(url)
        assert response.mimetype == "application/json", url
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
        return response

    return get


def all_pages(api, path: str, per_page: int = 10, **query) -> list[dict]:
    first = api(path, per_page=per_page, **query).get_json()
    pages = [first] + [api(path, page=n, per_page=per_page, **query).get_json()
                       for n in range(2, first["total_pages"] + 1)]
    return pages


# --- the validator's own checks -------------------------------------------------------------


def test_format_checking_is_really_on(service_list_schema):
    good = {"id": "5c94cb9b-05a9-56d2-bc28-8e22c8b5fd99", "name": "A", "status": "active"}
    assert not errors_of(service_list_schema, good)
    assert errors_of(service_list_schema, {**good, "email": ""})
    assert errors_of(service_list_schema, {**good, "email": "not an address"})
    assert errors_of(service_list_schema, {**good, "url": ""})
    assert errors_of(service_list_schema, {**good, "url": "/relative/only"})
    assert errors_of(service_list_schema, {**good, "id": "not-a-uuid"})


def test_the_base_endpoint_says_version_3(api, spec, registry):
    body = api("/").get_json()
    assert not errors_of(validator(response_schema("/"), registry), body)
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://") and body["openapi_url"].endswith("/3.0/openapi.json")


def test_every_endpoint_of_the_specification_answers(api, spec):
    ids = {
        "/services/{id}": api("/services").get_json()["contents"][0]["id"],
        "/taxonomies/{id}": api("/taxonomies").get_json()["contents"][0]["id"],
        "/taxonomy_terms/{id}": api("/taxonomy_terms").get_json()["contents"][0]["id"],
    }
    for path in spec["paths"]:
        if path == "/service_at_locations/{id}":
            # No service here has a place, so the listing is empty and any id is unknown: a clear 404.
            assert api("/service_at_locations").get_json()["total_items"] == 0
            assert api("/service_at_locations/" + ids["/services/{id}"]).status_code == 404
            continue
        response = api(path.replace("{id}", ids.get(path, "")))
        assert response.status_code == 200, path


@pytest.mark.parametrize("path", ["/services", "/taxonomies", "/taxonomy_terms", "/service_at_locations"])
def test_paging_fields_first_middle_last_and_past_the_end(api, spec, registry, path):
    page_schema = validator({"$ref": f"{SPEC_URI}#/components/schemas/Page"}, registry)
    pages = all_pages(api, path, per_page=3)
    total = pages[0]["total_items"]
    assert pages[0]["total_pages"] == math.ceil(total / 3)
    seen = []
    for number, page in enumerate(pages, start=1):
        assert not errors_of(page_schema, page)
        assert set(page) >= set(spec["components"]["schemas"]["Page"]["properties"]) | {"contents"}
        assert page["page_number"] == number and page["first_page"] == (number == 1)
        assert page["last_page"] == (number == len(pages)) and page["size"] == len(page["contents"])
        assert page["empty"] == (not page["contents"])
        seen += [item["id"] for item in page["contents"]]
    assert len(seen) == len(set(seen)) == total  # every record once, none repeated
    past = api(path, page=len(pages) + 1, per_page=3).get_json()
    assert past["contents"] == [] and past["empty"] and past["size"] == 0 and past["total_items"] == total
    assert not errors_of(page_schema, past)


# --- every record against the UK profile ---------------------------------------------------------


def test_every_page_of_services_matches_the_specification(api, registry, service_list_schema):
    page_schema = validator(response_schema("/services"), registry)
    for page in all_pages(api, "/services", per_page=7):
        assert not errors_of(page_schema, page)
        for record in page["contents"]:
            assert not errors_of(service_list_schema, record), record["name"]
            assert "organization_id" in record


def test_every_service_matches_the_uk_profile_in_full(api, registry, service_schema):
    by_id = validator(response_schema("/services/{id}"), registry)
    listed = [record for page in all_pages(api, "/services") for record in page["contents"]]
    assert len(listed) >= 30
    for item in listed:
        record = api(f"/services/{item['id']}").get_json()
        assert not errors_of(by_id, record), record["name"]
        assert not errors_of(service_schema, record), record["name"]
        assert record["organization_id"] == record["organization"]["id"]
        assert_only_profile_fields(record, load("service.json"), record["name"])


def assert_only_profile_fields(value, schema: dict, where: str) -> None:
    """Nothing the UK profile removes, and no empty values: every key is one the profile keeps
    (or our one named local extension), all the way down."""
    if isinstance(value, dict):
        allowed = set(schema.get("properties", {}))
        for key, inner in value.items():
            assert inner not in ("", None, [], {}), f"{where}: {key} is empty"
            if key in LOCAL_EXTENSIONS:
                continue
            assert key in allowed, f"{where}: {key} is not in the UK profile"
            assert_only_profile_fields(inner, schema["properties"][key], f"{where}.{key}")
    elif isinstance(value, list):
        for inner in value:
            assert_only_profile_fields(inner, schema.get("items", {}), where)


def test_taxonomy_terms_and_organizations_match_the_profiles_shapes(api, registry):
    service = load("service.json")
    term_schema = validator(service["properties"]["attributes"]["items"]["properties"]["taxonomy_term"], registry)
    organization_schema = validator(service["properties"]["organization"], registry)
    for page in all_pages(api, "/taxonomy_terms"):
        for term in page["contents"]:
            assert not errors_of(term_schema, term)
            assert api(f"/taxonomy_terms/{term['id']}").get_json() == term
    taxonomy = api("/taxonomies").get_json()["contents"][0]
    full = api(f"/taxonomies/{taxonomy['id']}").get_json()
    assert {"id", "name", "description"} <= set(taxonomy) and full["taxonomy_terms"]
    for term in full["taxonomy_terms"]:
        assert not errors_of(term_schema, term)
    for page in all_pages(api, "/organizations"):
        for organization in page["contents"]:
            assert not errors_of(organization_schema, organization)


# --- filters: each works, or is refused with a clear 400 ------------------------------------------


def ids(api, **query) -> set[str]:
    return {record["id"] for page in all_pages(api, "/services", per_page=100, **query) for record in page["contents"]}


def test_the_filters_the_specification_lists(api, spec):
    listed = {p["$ref"].rsplit("/", 1)[-1] for p in spec["paths"]["/services"]["get"]["parameters"]}
    assert listed == {"search", "page", "per_page", "taxonomy_term_id", "taxonomy_id", "minimum_age", "maximum_age",
                      "start_time", "end_time", "day"}
    everyone = ids(api)
    found = ids(api, search="passport")
    assert found and found < everyone
    term = api("/taxonomy_terms").get_json()["contents"][0]
    in_term = ids(api, taxonomy_term_id=term["id"])
    assert in_term and in_term < everyone
    for service_id in in_term:
        record = api(f"/services/{service_id}").get_json()
        assert record["attributes"][0]["taxonomy_term_id"] == term["id"]
    assert ids(api, taxonomy_id=term["taxonomy_id"]) == everyone
    sunday = ids(api, day="SU")
    assert sunday and sunday < everyone
    for service_id in sunday:
        assert any("SU" in s["byday"] for s in api(f"/services/{service_id}").get_json()["schedules"])
    late = ids(api, start_time="07:00", end_time="18:00")
    assert late and late < everyone
    assert ids(api, minimum_age=18) == set() and ids(api, maximum_age=65) == set()  # no entry records ages
    for query in ({"day": "someday"}, {"start_time": "noon"}, {"end_time": "24:30"}, {"minimum_age": "x"},
                  {"modified_after": "2026-01-01"}):
        response = api("/services", **query)
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["status"] == 400 and error["code"] in {"bad_parameter", "not_supported"}
        assert next(iter(query)) in error["message"]
