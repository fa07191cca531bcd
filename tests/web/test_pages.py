"""Every page answers, with and without htmx, in English and Welsh, and bad requests get kind pages."""

from __future__ import annotations

import gzip
import re

import pytest

from townhall import engines
from townhall.preferences import COOKIE_NAME


def site_of(app):
    return engines.site(app)


def page_urls(app) -> list[str]:
    site = site_of(app)
    urls = ["/", "/a-to-z", "/categories", "/settings", "/search", "/search?q=bins", "/your-area"]
    urls += [f"/categories/{slug}" for slug in site.categories]
    urls += [f"/services/{slug}" for slug in site.services]
    urls += [f"/{slug}" for slug in site.pages]
    return urls


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


@pytest.fixture(scope="module")
def urls(app):
    return page_urls(app)


@pytest.mark.parametrize("language", ["", "/cy"])
@pytest.mark.parametrize("htmx", [False, True])
def test_every_page_answers(app, urls, language, htmx):
    client = app.test_client()
    headers = {"HX-Request": "true"} if htmx else {}
    for url in urls:
        response = client.get(language + url, headers=headers)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        if "<html" in html:
            assert f'<html lang="{language.strip("/") or "en"}"' in html, url
            assert h1_count(html) == 1, url
            assert re.search(r"<title>[^<]+ – [^<]+</title>", html), url
            assert 'id="main-content"' in html and 'class="th-skip-link"' in html, url
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "HX-Request" in response.headers.get("Vary", "")


def test_welsh_pages_are_in_welsh_with_alternates(client):
    html = client.get("/cy/a-to-z").get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert "Gwasanaethau A i Y" in html or "A i Y" in html
    assert '<link rel="alternate" hreflang="en" href="http://localhost/a-to-z">' in html
    assert '<link rel="alternate" hreflang="cy" href="http://localhost/cy/a-to-z">' in html
    assert '<a href="/a-to-z" hreflang="en" lang="en">English</a>' in html
    assert 'href="/cy/categories"' in html  # links stay in Welsh


def test_untranslated_service_is_marked_as_english_inside_a_welsh_page(app, client):
    site = site_of(app)
    untranslated = next(slug for slug in site.services if ("service:" + slug, "cy") not in site.translations)
    html = client.get(f"/cy/services/{untranslated}").get_data(as_text=True)
    assert '<html lang="cy"' in html
    assert re.search(r'<h1 lang="en">', html)


def test_translated_service_is_welsh(app, client):
    site = site_of(app)
    translated = [key[0].split(":", 1)[1] for key in site.translations if key[0].startswith("service:")]
    assert translated, "the demo should have Welsh service pages"
    html = client.get(f"/cy/services/{translated[0]}").get_data(as_text=True)
    assert '<h1 lang="en">' not in html
    assert site.service(translated[0], "cy").title in html


def test_service_page_answers_the_residents_questions(app, client):
    site = site_of(app)
    for slug, service in site.services.items():
        html = client.get(f"/services/{slug}").get_data(as_text=True)
        assert "At a glance" in html and "Who is responsible" in html and "How long it takes" in html, slug
        assert "Other formats and languages" in html and "interpreter" in html, slug
        assert "Page last checked" in html, slug
        assert ("This service is free." in html) == service.is_free, slug
        if service.contact.phone:
            assert service.contact.phone in html, slug


def test_service_standards_are_shown_from_data(client):
    html = client.get("/our-service-standards").get_data(as_text=True)
    for expected in ("within 20 seconds", "within 1 working day", "within 3 working days", "within 10 working days",
                     "within 5 working days", "within 20 working days", "within 5 minutes", "70 out of every 100"):
        assert expected in html, expected


def test_unknown_pages_get_a_helpful_404(client):
    for url in ("/no-such-page", "/services/no-such-service", "/categories/nothing", "/cy/nothing", "/a/b/c"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "Page not found" in html or "Heb ddod o hyd" in html
        assert 'role="search"' in html


def test_404_for_htmx_is_just_the_message(client, htmx_headers):
    response = client.get("/services/nothing", headers=htmx_headers)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Page not found" in html


def test_wrong_method_gets_a_kind_page(client):
    response = client.post("/a-to-z")
    assert response.status_code == 405
    assert "Sorry, that did not work" in response.get_data(as_text=True)


def test_huge_form_post_gets_413_not_500(client, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "large", "padding": "x" * 200_000})
    assert response.status_code == 413
    assert "What you sent is too long" in response.get_data(as_text=True)


def test_crash_gets_a_kind_500(make_app):
    app = make_app()

    @app.route("/explode")
    def explode():
        raise RuntimeError("boom")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with this website" in html and "01632 960000" in html


def test_odd_addresses_never_500(client):
    for url in ("/%00", "/services/%2e%2e%2fetc", "/search?q=%ff%fe", "/settings?return_to=//evil.example",
                "/cy/cy/cy", "/" + "a" * 5000, "/categories/%F0%9F%98%80"):
        assert client.get(url).status_code < 500, url


def test_assets_are_bundled_cached_and_gzipped(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/assets/townhall-[0-9a-f]+\.css)"', html)[1]
    js = re.search(r'src="(/assets/townhall-[0-9a-f]+\.js)"', html)[1]
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert b".th-colours-dark" in gzip.decompress(response.data)
    assert b"htmx" in client.get(js).data
    assert client.get(css, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/assets/townhall-000.css").status_code == 404


def test_welsh_pages_share_the_same_assets(client):
    english = re.findall(r"/assets/[^\"]+", client.get("/").get_data(as_text=True))
    welsh = re.findall(r"/assets/[^\"]+", client.get("/cy/").get_data(as_text=True))
    assert english == welsh


def test_a_service_page_weighs_under_40kb_compressed_and_uses_only_our_host(app, client):
    slug = next(iter(site_of(app).services))
    html = client.get(f"/services/{slug}").data
    total = len(gzip.compress(html, 6))
    for asset in re.findall(rb'(?:href|src)="(/assets/[^"]+)"', html):
        total += len(client.get(asset.decode(), headers={"Accept-Encoding": "gzip"}).data)
    assert total < 40 * 1024, f"{total} bytes"
    resources = re.findall(rb'<(?:script|link|img|audio|source|iframe)[^>]+(?:src|href)="([^"]+)"', html)
    # Our own host (canonical and language links are written in full) or a path: never another host.
    assert resources and all(not re.match(rb"(?:https?:)?//", url) or url.startswith(b"http://localhost/")
                             for url in resources), resources


def test_preferences_are_applied_on_the_server(client):
    client.set_cookie(COOKIE_NAME, "text:larger|colours:dark|spacing:wide|speech:on")
    html = client.get("/").get_data(as_text=True)
    assert 'class="th-text-larger th-colours-dark th-spacing-wide th-speech-on th-no-js"' in html


def test_health(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_links_in_welsh_bodies_stay_in_welsh(client):
    html = client.get("/cy/how-to-complain").get_data(as_text=True)
    body = html[html.index('class="th-body"'):]
    body = body[: body.index("</div>")]
    site_links = re.findall(r'href="(/[^"]*)"', body)
    assert site_links and all(link.startswith("/cy/") for link in site_links), site_links
    english = client.get("/how-to-complain").get_data(as_text=True)
    assert 'href="/our-service-standards"' in english


def test_a_trailing_slash_leads_to_the_page(client):
    response = client.get("/services/report-a-missed-bin/?x=1")
    assert response.status_code == 308 and response.headers["Location"] == "/services/report-a-missed-bin?x=1"
    assert client.get("/cy/a-to-z/").headers["Location"] == "/cy/a-to-z"
    assert client.get("/no-such/thing/").status_code == 404


def test_only_trusted_hosts_when_configured(make_app):
    client = make_app(TOWNHALL_TRUSTED_HOSTS="www.brackenford.example").test_client()
    assert client.get("/", headers={"Host": "www.brackenford.example"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_a_huge_query_string_does_not_bloat_every_link(client):
    html = client.get("/a-to-z?" + "x" * 5000).get_data(as_text=True)
    assert "x" * 1001 not in html
