"""Odd requests: each must get a helpful answer, never a 500."""

from __future__ import annotations

import pytest

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_a_malformed_hx_current_url_is_not_a_500(client, prefix):
    response = client.get(f"{prefix}/search?q=bins", headers={**HX, "HX-Current-URL": "http://[::1"})
    assert response.status_code == 200
    assert "Report a missed bin" in response.get_data(as_text=True) or "bin" in response.get_data(as_text=True)


def test_wrong_method_says_which_methods_are_allowed(client):
    response = client.delete("/search")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "<h1" in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/nope", 404),
    ("GET", "/cy/api/nope", 404),
    ("PUT", "/api/directory", 405),
    ("POST", "/api/postcodes/BK1%201AA", 405),
    ("DELETE", "/api/areas/wards.geojson", 405),
])
def test_api_errors_are_json_like_the_apis_own(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_an_unsatisfiable_range_says_how_long_the_file_is(app):
    # Werkzeug's 416 carries Content-Range: bytes */length; the kind error page must keep it.
    from werkzeug.exceptions import RequestedRangeNotSatisfiable

    with app.test_request_context("/listen/audio"):
        from townhall.web.errors import http_error

        _body, status, headers = http_error(RequestedRangeNotSatisfiable(length=1234))
    assert status == 416 and headers["Content-Range"] == "bytes */1234"
