"""Cache headers, conditional requests and the in-app page cache."""

from __future__ import annotations

import time

import pytest

from townhall.preferences import COOKIE_NAME
from townhall.web.metrics import CACHE, TALLY, Tally

SERVICE = "/services/report-a-missed-bin"


def hits() -> float:
    TALLY.send()  # hits are added up in memory and sent to Prometheus once a second
    return CACHE.labels("hit")._value.get()


def test_a_tally_sends_its_counts_every_second():
    counter = CACHE.labels("tally-test")
    tally = Tally(every=0.2)
    tally.add(counter)
    tally.add(counter, counter)
    assert counter._value.get() == 0  # still in memory
    deadline = time.monotonic() + 5
    while counter._value.get() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counter._value.get() == 3


@pytest.mark.parametrize("path", [SERVICE, "/", "/cy/a-to-z", "/search?q=bins", "/your-area?postcode=BK1+1AA"])
def test_pages_for_everyone_are_public_for_a_short_time(client, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    vary = {part.strip() for part in response.headers["Vary"].split(",")}
    assert "HX-Request" in vary and "Cookie" not in vary
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_pages_shaped_by_the_settings_cookie_are_private(client):
    client.set_cookie(COOKIE_NAME, "text:large")
    response = client.get(SERVICE)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers["Vary"]
    again = client.get(SERVICE, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_conditional_requests_get_not_modified(client):
    first = client.get(SERVICE)
    assert client.get(SERVICE, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(SERVICE, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get(SERVICE, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_api_answers_are_cacheable_with_validators(client):
    response = client.get("/api/postcodes/BK1%201AA")
    assert response.headers["Cache-Control"].startswith("public")
    assert client.get("/api/postcodes/BK1%201AA", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_second_request_is_served_from_the_page_cache(client):
    client.get("/categories")
    before = hits()
    again = client.get("/categories")
    assert again.status_code == 200 and hits() == before + 1
    htmx = client.get("/categories", headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and hits() == before + 1  # htmx gets its own answer


def test_what_may_be_personal_is_never_cached(client, token):
    before = hits()
    client.set_cookie("session", "someone")
    client.get("/a-to-z")
    client.get("/a-to-z")
    assert hits() == before  # a session may hold a resident's own answers
    client.delete_cookie("session")
    client.post("/settings", data={"csrf_token": token, "text": "large", "colours": "auto", "spacing": "standard", "speech": "off"})
    assert hits() == before


def test_an_error_is_never_cached(client):
    before = hits()
    client.get("/no-such-page")
    client.get("/no-such-page")
    assert hits() == before


def test_turned_off_there_is_no_page_cache(make_app):
    client = make_app(TOWNHALL_PAGE_CACHE=0).test_client()
    before = hits()
    client.get("/categories")
    client.get("/categories")
    assert hits() == before


def test_a_new_worker_draws_its_first_pages_before_any_visitor_asks(make_app):
    from townhall.serving import warm_up, warm_up_paths

    app = make_app()
    paths = warm_up_paths(app)
    assert "/" in paths and "/cy/" in paths and any(path.startswith("/services/") for path in paths)
    warm_up(app)
    before = hits()
    assert app.test_client().get("/").status_code == 200
    assert hits() == before + 1  # already drawn by the warm-up


def test_the_warm_up_uses_the_councils_own_host_and_is_not_counted_as_visitors(make_app, caplog):
    import logging

    from townhall.serving import warm_up
    from townhall.web.metrics import REQUESTS

    def searches() -> float:
        TALLY.send()
        return REQUESTS.labels("/search", "200")._value.get()

    app = make_app(TOWNHALL_TRUSTED_HOSTS="www.example-council.gov.uk")
    before, drawn = searches(), CACHE.labels("miss")._value.get()
    with caplog.at_level(logging.INFO):
        warm_up(app, logging.getLogger("test-warm-up"))
    assert "Worker warmed up" in caplog.text and "answered" not in caplog.text  # every page a 200
    assert searches() == before and CACHE.labels("miss")._value.get() == drawn
    visitor = app.test_client().get("/search?q=council", base_url="http://www.example-council.gov.uk")
    assert visitor.status_code == 200 and searches() == before + 1
    assert app.test_client().get("/").status_code == 400  # the test client's own "localhost" is refused


def test_a_failing_warm_up_leaves_the_worker_to_start_cold(make_app, caplog):
    import logging

    from townhall.serving import warm_up

    app = make_app()
    app.test_client = None  # type: ignore[method-assign]  # nothing can be drawn
    warm_up(app, logging.getLogger("test-warm-up"))
    assert "starts cold" in caplog.text
    warm_up(object())  # not a Flask app: nothing to do
