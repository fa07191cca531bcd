"""Accessibility settings: a plain form without JavaScript, instant with htmx, and a reset."""

from __future__ import annotations

import json
import re

from townhall.preferences import COOKIE_NAME


def cookie_header(response) -> str:
    return next(value for key, value in response.headers.items() if key == "Set-Cookie" and COOKIE_NAME in value)


def test_settings_page_shows_every_choice(client):
    html = client.get("/settings").get_data(as_text=True)
    for field in ("text", "colours", "spacing", "speech"):
        assert f'name="{field}"' in html
    assert 'id="colours-auto" name="colours" value="auto" checked' in html
    assert "<legend" in html and "Save settings" in html and "Reset settings" in html


def test_plain_form_saves_a_functional_cookie_and_comes_back(client, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "large", "colours": "cream", "spacing": "wide", "speech": "on",
                                              "return_to": "/a-to-z"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/settings?saved=1")
    header = cookie_header(response)
    assert "text:large|colours:cream|spacing:wide|speech:on" in header
    assert "SameSite=Lax" in header and "HttpOnly" in header and "Max-Age=31536000" in header
    assert "Secure" not in header  # plain http here
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your settings have been saved." in page
    assert 'href="/a-to-z"' in page
    assert "th-text-large th-colours-cream" in page


def test_cookie_is_secure_over_https(client, token):
    # Over HTTPS Flask-WTF also checks the Referer is this site (our Referrer-Policy sends it same-origin).
    response = client.post("/settings", data={"csrf_token": token, "text": "large"}, base_url="https://localhost",
                           headers={"Referer": "https://localhost/settings"})
    assert "Secure" in cookie_header(response)


def test_htmx_change_applies_at_once_and_says_what_changed(client, htmx_headers, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "larger", "colours": "auto", "spacing": "standard",
                                              "speech": "off"}, headers=htmx_headers)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "Saved. Text size: Larger." in fragment
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["th:preferences"]["classes"].startswith("th-text-larger")
    assert "text:larger" in cookie_header(response)


def test_choosing_the_defaults_removes_the_cookie(client, token):
    client.set_cookie(COOKIE_NAME, "text:large")
    response = client.post("/settings", data={"csrf_token": token, "text": "standard", "colours": "auto", "spacing": "standard",
                                              "speech": "off"})
    assert "Max-Age=0" in cookie_header(response) or "Expires=Thu, 01 Jan 1970" in cookie_header(response)


def test_reset_removes_the_cookie(client, token):
    client.set_cookie(COOKIE_NAME, "text:large|colours:dark")
    response = client.post("/settings/reset", data={"csrf_token": token, "return_to": "/categories"})
    assert response.status_code == 303
    assert "Expires=Thu, 01 Jan 1970" in cookie_header(response)
    page = client.get(response.headers["Location"])
    assert "Your settings have been reset" in page.get_data(as_text=True)


def test_values_that_are_not_choices_get_an_error_summary(client, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "gigantic", "colours": "dark"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#text-standard"' in html
    assert "Choose a text size from the list" in html
    assert COOKIE_NAME not in response.headers.get("Set-Cookie", "")


def test_return_to_never_leaves_the_site(client, token):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/settings", data={"csrf_token": token, "text": "large", "return_to": target})
        assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]
        page = client.get(f"/settings?saved=1&return_to={target}").get_data(as_text=True)
        assert not re.search(r'href="(?:https?:|javascript:)?//?\\?evil', page)
        assert "Go back to the page you were on" not in page


def test_settings_work_in_welsh(client, token):
    response = client.post("/cy/settings", data={"csrf_token": token, "text": "large"})
    assert response.headers["Location"].startswith("/cy/settings")


def test_a_post_without_a_token_is_refused_kindly_and_keeps_the_choices(client):
    response = client.post("/settings", data={"text": "large", "colours": "cream"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Sorry, your form was not sent" in html and "Send it again" in html
    assert 'name="text" value="large"' in html and 'name="colours" value="cream"' in html  # sent again as they were
    assert COOKIE_NAME not in response.headers.get("Set-Cookie", "")


def test_a_token_from_another_session_is_refused(client, app, token):
    other = app.test_client()
    response = other.post("/settings", data={"csrf_token": token, "text": "large"})
    assert response.status_code == 400


def test_htmx_sends_the_token_in_a_header(client, token, htmx_headers):
    response = client.post("/settings", data={"text": "larger"}, headers={**htmx_headers, "X-CSRFToken": token})
    assert response.status_code == 200
    without = client.post("/settings", data={"text": "larger"}, headers=htmx_headers)
    assert without.status_code == 400
    assert without.headers["HX-Retarget"] == "#main-content" and "<html" not in without.get_data(as_text=True)
