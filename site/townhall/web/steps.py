"""Step-by-step journeys: tasks that cross services ("When someone dies"), written by the content team."""

from __future__ import annotations

from flask import Blueprint, request

from .common import content_site, found_or_404, language, render

bp = Blueprint("steps", __name__)


@bp.route("/step-by-step")
def index():
    return render("steps/index.html", journeys=content_site().all_journeys(language()))


@bp.route("/step-by-step/<slug>")
def journey(slug: str):
    """One journey. Steps start closed; ?step=<id> opens one (for links to a step), ?steps=all every one."""
    found = found_or_404(content_site().journey(slug, language()))
    return render("steps/journey.html", journey=found, show_all=request.args.get("steps") == "all",
                  open_step=request.args.get("step", "")[:100])
