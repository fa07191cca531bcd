"""Placeholder search until the search capability lands: a plain match on titles and keywords."""

from __future__ import annotations

from flask import Blueprint, request

from .common import content_site, language, render

bp = Blueprint("search", __name__)
MAX_QUERY = 200


@bp.route("/search")
def search():
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    words = [word for word in query.lower().split() if len(word) > 1]
    results = []
    if words:
        for service in content_site().all_services(language()):
            haystack = " ".join([service.title, service.summary, *service.keywords]).lower()
            if all(word in haystack for word in words):
                results.append(service)
    return render("search/results.html", block="results", query=query, results=results)
