"""The Open Referral UK API through the test client: every route, with and without htmx,
open to every origin, and bad input answered with clear JSON errors (never a 500)."""

from __future__ import annotations

import pytest

BASE = "/api/openreferral"
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def known(app):
    client = app.test_client()
    service = client.get(f"{BASE}/services").get_json()["contents"][0]
    taxonomy = client.get(f"{BASE}/taxonomies").get_json()["contents"][0]
    term = client.get(f"{BASE}/taxonomy_terms").get_json()["contents"][0]
    return {"service": service["id"], "organization": service["organization_id"], "taxonomy": taxonomy["id"],
            "term": term["id"]}


def routes(known):
    return [
        "/", "/services", f"/services/{known['service']}", "/organizations",
        f"/organizations/{known['organization']}", "/taxonomies", f"/taxonomies/{known['taxonomy']}",
        "/taxonomy_terms", f"/taxonomy_terms/{known['term']}", "/service_at_locations",
    ]


def test_every_route_answers_json_the_same_for_htmx(client, known):
    for route in routes(known):
        plain, htmx = client.get(BASE + route), client.get(BASE + route, headers=HX)
        assert plain.status_code == htmx.status_code == 200, route
        assert plain.mimetype == htmx.mimetype == "application/json", route
        assert plain.get_json() == htmx.get_json(), route
        assert plain.headers["Access-Control-Allow-Origin"] == "*", route


def test_the_base_address_without_its_slash_redirects(client):
    response = client.get(BASE)
    assert response.status_code == 308 and response.headers["Location"].endswith(f"{BASE}/")
    assert client.get(BASE, follow_redirects=True).get_json()["version"] == "3.0"


def test_the_old_directory_address_redirects_here(client):
    response = client.get("/api/directory", headers=HX)
    assert response.status_code == 308
    assert response.headers["Location"].endswith(f"{BASE}/services?full=true")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = client.get("/api/directory?per_page=2", follow_redirects=True).get_json()
    assert body["size"] == 2 and "x_townhall_phones" in body["contents"][0]


@pytest.mark.parametrize("query", [
    "page=0", "page=-1", "page=abc", "page=1.5", "page=", "page=%00", "page=99999999999999999999",
    "per_page=101", "per_page=100000000000", "per_page=ten", "search=%00", "search=gas%00leak",
    "day=funday", "start_time=25:00", "end_time=9am", "minimum_age=old", "full=maybe",
    "modified_after=2026-01-01", "minimal=true", "format=xml",
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_queries_get_a_clear_400(client, query, headers):
    response = client.get(f"{BASE}/services?{query}", headers=headers)
    assert response.status_code == 400, query
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    name = query.split("=")[0]
    assert error["status"] == 400 and error["code"] in {"bad_parameter", "not_supported"}
    assert name in error["message"] and "\x00" not in error["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", [
    "/services/nope", "/services/00000000-0000-0000-0000-000000000000", "/services/%00", "/services/a%00b",
    "/organizations/nope", "/taxonomies/nope", "/taxonomy_terms/nope", "/service_at_locations/nope",
    "/services/" + "x" * 5000,
])
def test_unknown_ids_get_a_clear_404(client, path):
    response = client.get(BASE + path)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["message"].startswith("There is no")
    assert len(error["message"]) < 300 and "\x00" not in error["message"]


@pytest.mark.parametrize("path", ["/nothing-here", "/services/a/b"])
def test_unknown_addresses_are_json_404s(client, path):
    response = client.get(BASE + path)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_other_methods_are_refused_as_json(client):
    response = client.post(f"{BASE}/services")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_a_page_past_the_end_is_empty(client):
    first = client.get(f"{BASE}/services?per_page=20").get_json()
    past = client.get(f"{BASE}/services?per_page=20&page={first['total_pages'] + 1}").get_json()
    assert past["contents"] == [] and past["empty"] and past["total_items"] == first["total_items"]


def test_filters_work_through_the_web(client):
    everything = client.get(f"{BASE}/services?per_page=100").get_json()["total_items"]
    found = client.get(f"{BASE}/services?search=passport").get_json()
    assert 0 < found["total_items"] < everything
    assert client.get(f"{BASE}/services?day=sunday").get_json()["total_items"] < everything
