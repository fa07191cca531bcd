"""What browsers, search engines and security researchers ask every website for.

`robots.txt`, `sitemap.xml` (every page in every language, each with its
language alternates), `/.well-known/security.txt` (RFC 9116, from
content/security.yaml), the web app manifest and the favicon. Addresses are
built from the address the visitor used, so they are right behind any host
name the council serves the site on (set TOWNHALL_TRUSTED_HOSTS, or a proxy
that checks hosts, so a forged Host header cannot change them).
"""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for

from .. import engines
from ..addresses import is_page
from ..display import PALETTES
from .assets import asset_url
from .templating import council_name

bp = Blueprint("meta", __name__)
DAY = 24 * 60 * 60
SITEMAP_NAMESPACES = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                      'xmlns:xhtml="http://www.w3.org/1999/xhtml"')


def _text(body: str, mimetype: str = "text/plain", max_age: int = DAY) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def site_root() -> str:
    """The site's address as the visitor used it, without a language prefix or trailing slash."""
    return request.host_url.rstrip("/")


@bp.route("/robots.txt")
def robots() -> Response:
    """Everything may be read except the staff area and the answers to residents' own questions."""
    lines = ["User-agent: *", "Disallow: /staff", "Disallow: /listen"]
    for language in current_app.config["TOWNHALL_LANGUAGES"][1:]:
        lines += [f"Disallow: /{language}/staff", f"Disallow: /{language}/listen"]
    # A postcode or a search typed by a resident is theirs: answers to them are not for indexing.
    lines += ["Disallow: /*?postcode=", "Disallow: /*?q="]
    # Answers to a guided answer's questions ride in its address: the guide is indexed, the answers are not.
    lines += [f"Disallow: {prefix}/ask/guides/*?" for prefix in ("", *(f"/{code}" for code in
                                                                     current_app.config["TOWNHALL_LANGUAGES"][1:]))]
    lines += ["", f"Sitemap: {site_root()}/sitemap.xml", ""]
    return _text("\n".join(lines))


def page_paths() -> list[str]:
    """Every page of the site within one language: the fixed pages, then each page made from content or data."""
    site = engines.site()
    paths = ["/"]
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        if ("GET" in (rule.methods or ()) and not rule.arguments and is_page(rule.rule)
                and not getattr(view, "only_redirects", False)):
            paths.append(rule.rule)
    paths += [f"/services/{slug}" for slug in site.services]
    paths += [f"/categories/{slug}" for slug in site.categories]
    paths += [f"/{slug}" for slug in site.pages]
    if site.directory:
        paths += [f"/directory/{slug}" for slug in site.directory.organisations]
    paths += [f"/ask/guides/{guide.slug}" for guide in engines.guides().all()]
    try:
        paths += [url_for("places.ward", code=ward.code) for ward in engines.places().areas("wards")]
    except Exception:  # noqa: BLE001 - no geodata (or no ward layer): the sitemap lists the rest
        pass
    return sorted(set(paths), key=lambda path: (path != "/", path))


def _language_url(language: str, path: str) -> str:
    first = current_app.config["TOWNHALL_LANGUAGES"][0]
    prefix = "" if language == first else f"/{language}"
    return site_root() + prefix + (path if path != "/" or not prefix else "/")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    languages = current_app.config["TOWNHALL_LANGUAGES"]
    entries = []
    for path in page_paths():
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{language}" href="{xml_escape(_language_url(language, path))}"/>'
            for language in languages)
        default = f'<xhtml:link rel="alternate" hreflang="x-default" href="{xml_escape(_language_url(languages[0], path))}"/>'
        for language in languages:
            entries.append(f"<url><loc>{xml_escape(_language_url(language, path))}</loc>{alternates}{default}</url>")
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NAMESPACES}>\n' + "\n".join(entries) + "\n</urlset>\n"
    return _text(body, "application/xml")


@bp.route("/.well-known/security.txt")
def security_txt() -> Response:
    found = engines.site().security
    if found is None:
        abort(404)
    lines = [f"Contact: {contact}" for contact in found.contacts]
    lines.append(f"Expires: {found.expires.isoformat()}T23:59:59Z")
    if found.preferred_languages:
        lines.append(f"Preferred-Languages: {found.preferred_languages}")
    if found.policy:
        lines.append(f"Policy: {found.policy if '://' in found.policy else site_root() + found.policy}")
    lines.append(f"Canonical: {site_root()}/.well-known/security.txt")
    return _text("\n".join(lines) + "\n")


@bp.route("/security.txt")
def security_txt_elsewhere() -> Response:
    return redirect(url_for("meta.security_txt"), code=301)


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """Lets a resident add the site to their phone's home screen, named and coloured as the council's."""
    council = engines.site().council
    colours = PALETTES["standard"]
    data = {
        "name": council_name(), "short_name": council.short_name, "start_url": "/", "scope": "/",
        "display": "browser", "lang": "en", "background_color": colours["background"],
        "theme_color": colours["brand"],
        "icons": [{"src": asset_url("icon"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    response = current_app.response_class(current_app.json.dumps(data), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = f"public, max-age={DAY}"
    return response


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico by themselves: send them to the icon, which is cached for a year."""
    return redirect(asset_url("icon"), code=301)
