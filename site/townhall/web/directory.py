"""Services we are not responsible for: the directory of other organisations, and its open data.

/directory (by category), /directory/a-to-z, /directory/not-sure ("Not sure who
to contact?"), /directory/<slug> (one organisation) and /api/directory (the old
address of the directory's open data, now redirected to the Open Referral UK API
at /api/openreferral/).
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from ..content.models import Directory
from .common import content_site, found_or_404, language, render
from .openapi import ApiPart

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
    """The old address of the directory's open data: a permanent redirect to the Open Referral UK API.

    The query string goes along, so ``?page=2&per_page=10`` keeps working, with
    ``full=true`` added (unless given) because this address used to answer fully
    nested services.
    """
    query = request.query_string.decode("latin-1")
    if "full" not in request.args:
        query = f"{query}&full=true" if query else "full=true"
    target = url_for("openreferral.services") + f"?{query}"
    response = redirect(target, code=308)
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response


def openapi_part() -> ApiPart:
    """The old open data address, documented so existing links keep a description."""
    return ApiPart(paths={"/api/directory": {"get": {
        "operationId": "getDirectoryOldAddress",
        "summary": "The directory's old open data address: redirects to the Open Referral UK API",
        "tags": ["Open Referral UK"],
        "responses": {"308": {
            "description": "Permanent redirect to /api/openreferral/services, keeping the query string and "
                           "adding full=true (this address used to answer fully nested services).",
            "headers": {"Location": {"schema": {"type": "string"}}}}},
    }}})
