"""robots.txt, sitemap.xml, security.txt, the manifest, the icon, canonical and language links, proxies."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from townhall import engines

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_robots_keeps_residents_questions_and_the_staff_area_out_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain" and "public" in response.headers["Cache-Control"]
    for rule in ("Disallow: /staff", "Disallow: /*?postcode=", "Disallow: /*?q=", "Disallow: /cy/listen"):
        assert rule in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_the_sitemap_lists_every_page_in_every_language_with_its_alternates(client, app):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in root.iter(f"{SITEMAP}url")}
    site = engines.site(app)
    for slug in site.services:
        for address in (f"http://localhost/services/{slug}", f"http://localhost/cy/services/{slug}"):
            assert address in urls
            links = {link.get("hreflang"): link.get("href") for link in urls[address].iter(f"{XHTML}link")}
            assert links == {"en": f"http://localhost/services/{slug}", "cy": f"http://localhost/cy/services/{slug}",
                             "x-default": f"http://localhost/services/{slug}"}
    for path in ("/", "/cy/", "/a-to-z", "/your-area", "/directory/not-sure", *(f"/{slug}" for slug in site.pages)):
        assert f"http://localhost{path}" in urls
    assert not [url for url in urls if re.search(r"/(api|listen|staff|assets|healthz)\b", url)]


def test_every_address_in_the_sitemap_is_a_page(client):
    root = ElementTree.fromstring(client.get("/sitemap.xml").data)
    for url in root.iter(f"{SITEMAP}url"):
        path = url.findtext(f"{SITEMAP}loc").removeprefix("http://localhost")
        assert client.get(path).status_code == 200, path


def test_security_txt_follows_rfc_9116(client):
    response = client.get("/.well-known/security.txt")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert re.search(r"^Contact: mailto:\S+@\S+$", text, re.M)
    expires = re.search(r"^Expires: (\d{4}-\d\d-\d\d)T23:59:59Z$", text, re.M)
    assert expires and date.fromisoformat(expires.group(1)) > date.today()
    assert "Canonical: http://localhost/.well-known/security.txt" in text
    assert client.get("/security.txt").status_code == 301


def test_an_expired_security_txt_is_a_content_problem(make_app, content_copy):
    (content_copy / "security.yaml").write_text("contact: mailto:security@example.org\nexpires: 2026-01-31\n")
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_TODAY="2026-02-01")
    problems = [str(problem) for problem in engines.site(app).problems]
    assert any("security.yaml" in problem and "passed on 2026-01-31" in problem for problem in problems)
    assert app.test_client().get("/.well-known/security.txt").status_code == 404


def test_without_a_security_file_there_is_no_security_txt(make_app, content_copy):
    (content_copy / "security.yaml").unlink()
    assert make_app(TOWNHALL_CONTENT=str(content_copy)).test_client().get("/.well-known/security.txt").status_code == 404


def test_the_manifest_and_icon(client, app):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json()
    assert data["name"] == engines.site(app).council.name and data["start_url"] == "/"
    icon = client.get(data["icons"][0]["src"])
    assert icon.mimetype == "image/svg+xml" and "immutable" in icon.headers["Cache-Control"]
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon.headers["Location"].endswith(data["icons"][0]["src"])


@pytest.mark.parametrize("path, canonical", [
    ("/services/report-a-missed-bin", "http://localhost/services/report-a-missed-bin"),
    ("/cy/services/report-a-missed-bin", "http://localhost/cy/services/report-a-missed-bin"),
    ("/search?q=bins", "http://localhost/search"),
])
def test_every_page_names_its_canonical_address_and_its_languages_in_full(client, path, canonical):
    html = client.get(path).get_data(as_text=True)
    assert f'<link rel="canonical" href="{canonical}">' in html
    languages = dict(re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]+)">', html))
    assert set(languages) == {"en", "cy", "x-default"} and all(href.startswith("http://") for href in languages.values())


def test_forwarded_headers_are_believed_only_from_a_configured_proxy(make_app, csrf_token_of):
    form = {"text": "large", "colours": "auto", "spacing": "standard", "speech": "off"}
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct_client = make_app().test_client()
    direct = direct_client.post("/settings", data={**form, "csrf_token": csrf_token_of(direct_client)},
                                headers=forwarded)
    assert "Secure" not in direct.headers.get("Set-Cookie", "")
    behind_client = make_app(TOWNHALL_PROXY_COUNT=1).test_client()
    # Over HTTPS, the form check also wants the page it came from (Flask-WTF's strict Referer check).
    behind = behind_client.post("/settings", data={**form, "csrf_token": csrf_token_of(behind_client)},
                                headers={**forwarded, "Referer": "https://localhost/settings"})
    assert "Secure" in behind.headers["Set-Cookie"] and "HttpOnly" in behind.headers["Set-Cookie"]
    assert "SameSite=Lax" in behind.headers["Set-Cookie"]
