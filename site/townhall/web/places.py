"""Placeholder for postcode lookups until the places capability lands."""

from __future__ import annotations

from flask import Blueprint, request

from .common import render

bp = Blueprint("places", __name__)


@bp.route("/your-area")
def your_area():
    postcode = " ".join(request.args.get("postcode", "").split())[:20]
    return render("places/your_area.html", postcode=postcode)
