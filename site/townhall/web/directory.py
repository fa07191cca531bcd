"""Services we are not responsible for: the directory of other organisations, and its open data.

/directory (by category), /directory/a-to-z, /directory/not-sure ("Not sure who
to contact?"), /directory/<slug> (one organisation) and /api/directory (the
directory as Open Referral UK JSON).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from ..content.models import Directory
from ..content.open_referral import open_referral
from .common import content_site, found_or_404, language, render

bp = Blueprint("directory", __name__)


def directory() -> Directory:
    return content_site().directory or Directory({}, {})


@bp.route("/directory")
def index():
    return render("directory/index.html", groups=directory().by_category(language()))


@bp.route("/directory/a-to-z")
def a_to_z():
    return render("directory/a_to_z.html", letters=directory().a_to_z())


@bp.route("/directory/not-sure")
def not_sure():
    site, lang = content_site(), language()
    council = [(site.category(slug, lang), site.services_in(slug, lang)[:3]) for slug in site.categories]
    return render("directory/not_sure.html", council=[(c, s) for c, s in council if s],
                  groups=directory().by_category(lang))


@bp.route("/directory/<slug>")
def organisation(slug: str):
    found = found_or_404(directory().organisation(slug))
    category = directory().categories.get(found.category)
    return render("directory/organisation.html", org=found,
                  category=category.localised(language()) if category else None)


@bp.route("/api/directory")
def api():
    """Every organisation as an Open Referral UK service with its organisation, contacts and schedules."""
    try:
        page = max(1, int(request.args.get("page", 1)))
        size = min(100, max(1, int(request.args.get("per_page", 50))))
    except ValueError:
        return jsonify({"error": {"code": "bad_request", "status": 400,
                                  "message": "page and per_page must be whole numbers, like page=2&per_page=50"}}), 400
    base = request.host_url.rstrip("/")
    body = open_referral(directory(), page=page, size=size,
                         page_url=lambda slug: base + url_for("directory.organisation", slug=slug))
    response = jsonify(body)
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response
