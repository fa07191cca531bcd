"""Council services: the A to Z, categories, and one page per service."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, redirect, url_for

from .common import content_site, found_or_404, language, only_redirects, render

bp = Blueprint("services", __name__)


@bp.route("/a-to-z")
def a_to_z():
    services = content_site().all_services(language())
    letters = [(letter, list(group)) for letter, group in groupby(services, key=lambda s: s.title[:1].upper())]
    return render("services/a_to_z.html", letters=letters)


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
    )
