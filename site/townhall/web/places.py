"""Places: "Your area", "Find my nearest", "Check your school catchment area" and ward pages.

Each view reads the request, asks the places engine one question and renders
one template; for htmx the same template's answer block is sent alone. Answers
that are not results (not a postcode, withdrawn, outside our area...) are
domain errors, turned into the page's error block here in one place.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _

from .. import engines
from ..places.engine import Answer, Places
from ..places.errors import NoCategory, OutsideArea, PlacesError, UnknownCategory
from ..places.svgmap import MapDrawing, draw
from ..text import N_
from .common import render
from .errors import error_message
from .insights import note_outside_postcode
from .metrics import time_answer
from .wording import catchment_school, highlight_name, in_english

bp = Blueprint("places", __name__)
NEAREST_COUNT = 5
CATCHMENT_LAYERS = ("primary-catchments", "secondary-catchments")


def area_map(places: Places, answer: Answer, layer: str | None, nearest=()) -> MapDrawing | None:
    """The council, the area this answer is about, the place itself and numbered facilities;
    for a catchment area, the school it serves too (where the data has that school)."""
    try:
        boundary = places.areas("boundary")
    except PlacesError:
        boundary = []
    areas = [(places.geometry("boundary", area), "context", area.name) for area in boundary]
    focus = []
    if layer:
        match = answer.area(layer)
        if match and match.area:
            shape = places.geometry(layer, match.area)
            areas.append((shape, "highlight", highlight_name(match.layer, match.area)))
            focus.append(shape)
    points = [(answer.location.lat, answer.location.lon, "", "you", answer.location.postcode or _("your location"))]
    points += [(n.facility.lat, n.facility.lon, str(i), "place", n.facility.name) for i, n in enumerate(nearest, start=1)]
    match = answer.area(layer) if layer else None
    if match and match.area and match.layer.kind == "catchment":
        school = places.facility_named(catchment_school(match.area))
        if school is not None:
            points.append((school.lat, school.lon, "", "school", in_english(school.name)))
    return draw(areas, points, focus=focus or None)


def _read_query() -> dict[str, Any]:
    args = request.args
    postcode = " ".join(args.get("postcode", "").split())[:40]
    lat, lon = args.get("lat", "").strip()[:20], args.get("lon", "").strip()[:20]
    return {"postcode": postcode, "lat": lat, "lon": lon, "asked": bool(postcode or lat or lon or "postcode" in args)}


def _answer(places: Places, query: dict[str, Any], category: str | None = None, count: int = NEAREST_COUNT) -> Answer:
    return places.answer(postcode=query["postcode"], lat=query["lat"], lon=query["lon"], category=category,
                         count=count)


class OddCategory(PlacesError):
    """A type of place that is not one of the form's choices (a changed or mistyped link).
    Not echoed back: it may hold anything, even control characters."""

    status = 400
    code = "odd_category"
    template = N_("Choose a type of place from the list.")


def _ask(template: str, question, check=None, **context: Any):
    """Ask the engine (when the reader has asked) and render the page or its answer block.

    `check(places)` runs first, asked or not, for what is wrong in the question itself.
    A domain error becomes the answer block's message, sent with the error's status.
    """
    query = _read_query()
    found: dict[str, Any] = {}
    error = outside = None
    category_error = False
    status = 200
    try:
        places = engines.places()
        if check is not None:
            check(places)
        if query["asked"]:
            with time_answer("postcode"):
                found = question(places, query)
    except OutsideArea as caught:
        outside, status = caught, caught.status
        note_outside_postcode(caught.params.get("place"))
    except PlacesError as caught:
        error, status = caught, caught.status
        category_error = isinstance(caught, (NoCategory, UnknownCategory, OddCategory))
    body = render(
        template, block="answer", query=query, status=status,
        error=error_message(error) if error else None, category_error=category_error,
        outside=error_message(outside) if outside else None,
        outside_link=outside.find_council if outside else None,
        **{"answer": None, **found}, **context,
    )
    return body, status


# --- pages ----------------------------------------------------------------------------


@bp.route("/your-area")
def your_area():
    """Everything for one postcode: every area, the nearest of each kind of place."""
    def question(places: Places, query):
        answer = _answer(places, query)
        nearest = {category.slug: places.nearest(answer.location, category.slug, 1) for category in places.categories}
        return {"answer": answer, "nearest": nearest, "categories": places.categories,
                "map": area_map(places, answer, "wards")}

    return _ask("places/your_area.html", question)


@bp.route("/find-my-nearest")
def find_my_nearest():
    """The nearest places of one kind, with opening hours and distances."""
    chosen = request.args.get("category", "").strip()[:60]
    try:
        categories = engines.places().categories
    except PlacesError:
        categories = []
    known = {category.slug for category in categories}

    def check(places: Places):
        if chosen and chosen not in known:
            raise OddCategory()

    def question(places: Places, query):
        if not chosen:
            raise NoCategory()
        answer = _answer(places, query, places.category(chosen).slug)
        return {"answer": answer, "map": area_map(places, answer, None, answer.nearest),
                "updated": places.facilities_updated}

    return _ask("places/find_my_nearest.html", question, check=check, categories=categories,
                chosen=chosen if chosen in known else "")


@bp.route("/school-catchment-areas")
def school_catchment():
    """Which primary and secondary catchment areas a postcode is in, and for which year."""
    def question(places: Places, query):
        answer = _answer(places, query)
        matches = [answer.area(name) for name in CATCHMENT_LAYERS if answer.area(name)]
        maps = {match.layer.name: area_map(places, answer, match.layer.name) for match in matches if match.area}
        return {"answer": answer, "catchments": matches, "maps": maps}

    return _ask("places/school_catchment.html", question)


@bp.route("/wards/<code>")
def ward(code: str):
    """A ward and its councillors."""
    try:
        places = engines.places()
        area = places.area("wards", code[:20])
    except PlacesError:
        area = None
    if area is None:
        abort(404)
    layer = places.layer("wards")
    shape = places.geometry("wards", area)
    boundary = places.areas("boundary") if "boundary" in {known.name for known in places.layers} else []
    drawing = draw([(places.geometry("boundary", b), "context", b.name) for b in boundary]
                   + [(shape, "highlight", highlight_name(layer, area))], [], focus=[shape])
    return render("places/ward.html", ward=area, layer=layer, map=drawing)


@bp.app_template_global()
def ward_url(code: str) -> str:
    return url_for("places.ward", code=code)
