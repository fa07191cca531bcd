"""Council services: the A to Z, categories, and one page per service."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from .common import content_site, found_or_404, language, only_redirects, render

bp = Blueprint("services", __name__)


@bp.app_template_global()
def service_at(path: str):
    """The service page at a path of this site ("/services/x"), in the reader's language, or None:
    for lists built from elsewhere (search results) that show its status and online link."""
    prefix = "/services/"
    if not path.startswith(prefix):
        return None
    return content_site().service(path[len(prefix):].split("?")[0].split("#")[0], language())


@bp.route("/a-to-z")
def a_to_z():
    """Every service under its title's first letter and under its subjects ("Bins", "Noise")."""
    return render("services/a_to_z.html", letters=content_site().a_to_z(language()))


@bp.route("/services")
@bp.route("/services/")
@only_redirects
def services_index():
    return redirect(url_for("services.a_to_z"), code=301)


@bp.route("/categories")
def categories():
    site, lang = content_site(), language()
    listing = [(site.category(slug, lang), len(site.services_in(slug))) for slug in site.categories]
    return render("services/categories.html", categories=listing)


@bp.route("/categories/<slug>")
def category(slug: str):
    site, lang = content_site(), language()
    found = found_or_404(site.category(slug, lang))
    return render("services/category.html", category=found, services=site.services_in(slug, lang))


@bp.route("/services/<slug>")
def service(slug: str):
    site, lang = content_site(), language()
    found = found_or_404(site.service(slug, lang))
    return render(
        "services/service.html",
        service=found,
        category=site.category(found.category, lang),
        related=[s for s in site.services_in(found.category, lang) if s.slug != slug][:5],
        customer_services=site.contacts.get("customer-services"),
        journeys=site.journeys_with(slug, lang),
    )
