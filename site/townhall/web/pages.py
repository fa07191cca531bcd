"""The home page and the general pages the content team writes (contact us, cookies...)."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..preferences import COOKIE_MAX_AGE, COOKIE_NAME
from .common import content_site, found_or_404, language, render

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    site, lang = content_site(), language()
    welcome = site.home.get(lang, {}).get("welcome") if lang != "en" else None
    categories = [site.category(slug, lang) for slug in site.categories]
    return render(
        "pages/home.html",
        welcome=welcome or site.home.get("welcome"),
        top_tasks=site.top_tasks(lang),
        categories=categories,
        journeys=site.all_journeys(lang),
    )


@bp.route("/<slug>")
def page(slug: str):
    site, lang = content_site(), language()
    found = found_or_404(site.page(slug, lang))
    # (A preview draft may name a contact that does not exist: it is listed as a problem, not drawn.)
    named = (name.removeprefix("contact:") for name in found.includes if name.startswith("contact:"))
    contacts = {name: site.contacts[name] for name in named if name in site.contacts}
    return render(
        "pages/page.html",
        page=found,
        contacts=contacts,
        standards=site.standards_in(lang),
        cookie_name=COOKIE_NAME,
        session_cookie_name=current_app.config["SESSION_COOKIE_NAME"],
        cookie_days=COOKIE_MAX_AGE // 86400,
    )
