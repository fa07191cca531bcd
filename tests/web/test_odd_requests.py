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


# --- what the hostile-input fuzzing found (tests/web/test_hostile_routes.py) ----------------------


@pytest.mark.parametrize("path, query, location", [
    ("/api/openreferral/organizations/\r/", "", "/api/openreferral/organizations/%0D"),
    ("/cy/services/caf\xc3\xa9\n/", "q=\xff", "/cy/services/caf%C3%A9%0A?q=%FF"),
])
def test_a_trailing_slash_after_odd_characters_redirects_with_an_encoded_location(client, path, query, location):
    # "/api/openreferral/organizations/\r/" was a 500: the redirect put the carriage return in Location.
    response = client.get("/", environ_overrides={"PATH_INFO": path, "QUERY_STRING": query})
    assert response.status_code == 308
    assert response.headers["Location"] == location


@pytest.mark.parametrize("path", ["/staff/", "/api/openreferral/organizations", "/feedback/thanks", "/search",
                                  "/cy/api/nearest"])
def test_raw_bytes_outside_ascii_in_the_query_are_not_a_500(client, path):
    # A server passes "?\x80" on as it came; werkzeug read the query as strict UTF-8 and raised.
    response = client.get("/", environ_overrides={"PATH_INFO": path, "QUERY_STRING": "page=\x80&q=\xdd"})
    assert response.status_code < 500


def test_a_failed_if_match_is_a_412_in_the_api_error_shape(client):
    response = client.get("/api/alerts", headers={"If-Match": '"not-this-version"'})
    assert response.status_code == 412
    assert response.get_json()["error"] == {**response.get_json()["error"], "status": 412,
                                            "code": "precondition_failed"}
    etag = client.get("/api/alerts").headers["ETag"]
    assert client.get("/api/alerts", headers={"If-Match": etag}).status_code == 200
    assert client.get("/api/alerts", headers={"If-Match": f'"other", {etag}'}).status_code == 200
    assert client.get("/api/alerts", headers={"If-Match": "*"}).status_code == 200  # werkzeug alone: 412
    assert client.get("/api/alerts", headers={"If-Match": f"W/{etag}"}).status_code == 412  # weak never matches
    assert client.get("/api/alerts", headers={"If-Match": etag, "If-None-Match": etag}).status_code == 304
    page = client.get("/", headers={"If-Match": '"x"'})
    assert page.status_code == 412 and b"<h1" in page.data


def test_a_broken_multipart_body_with_a_file_leaves_no_file_open(app):
    # The site takes no files: a file part stays in memory, not in a temporary file werkzeug leaves open.
    from townhall.web.bodies import FilesInMemory

    assert issubclass(app.request_class, FilesInMemory)
    body = (b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + b"a" * 100)
    with app.test_request_context("/settings", method="POST", data=body,
                                  content_type="multipart/form-data; boundary=x"):
        from flask import request

        assert type(request._get_file_stream(None, "text/plain", "a.txt")).__name__ == "BytesIO"
        assert request.htmx is not None  # still htmx-flask's request
    assert app.test_client().post("/settings", data=body, content_type="multipart/form-data; boundary=x",
                                  environ_overrides={"CONTENT_LENGTH": "abc"}).status_code == 400
