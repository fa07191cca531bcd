"""The places JSON API: the same answers as the pages, and each area layer as open data.

Errors are JSON with the same plain messages as the pages and the domain
error's status: {"error": {"code": "outside_area", "status": 404, "message": "..."}}.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..places.engine import Answer, AreaMatch, Nearby, Places
from ..places.errors import N_, NoCategory, PlacesError
from ..places.store import Facility
from .places import engine, error_message, open_status

bp = Blueprint("places_api", __name__, url_prefix="/api")
MAX_COUNT = 20
CORS = {"Access-Control-Allow-Origin": "*"}  # open data: anyone may read it from a browser


class BadCount(PlacesError):
    status = 400
    code = "bad_count"
    template = N_("Count must be a whole number from 1 to %(most)s.")


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    response.headers.update(CORS)
    return response


@bp.errorhandler(PlacesError)
def places_error(error: PlacesError) -> Response:
    return _json({"error": {**error.as_dict(), "message": error_message(error)}}, error.status)


def _count() -> int:
    text = request.args.get("count", "5").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        raise BadCount(most=MAX_COUNT)
    return int(text)


def area_json(match: AreaMatch) -> dict[str, Any]:
    layer = match.layer
    return {
        "layer": layer.name,
        "layer_title": layer.title,
        "edition": layer.edition,
        "area": None if match.area is None else {
            "code": match.area.code, "name": match.area.name, "properties": match.area.properties,
        },
        "metres_to_boundary": match.edge_metres,
        "near_boundary": match.near_boundary,
        "confirm": layer.confirm if match.near_boundary else None,
    }


def facility_json(facility: Facility) -> dict[str, Any]:
    status = open_status(facility.hours)
    return {
        "id": facility.id, "name": facility.name, "category": facility.category,
        "address": facility.address, "postcode": facility.postcode,
        "latitude": round(facility.lat, 6), "longitude": round(facility.lon, 6),
        "phone": facility.phone or None, "email": facility.email or None, "website": facility.website or None,
        "accessibility": facility.accessibility or None, "description": facility.description or None,
        "opening_hours": None if facility.hours is None else {
            "text": facility.opening_hours,
            "week": [{"day": day, "times": times} for day, times in facility.hours.rows()],
        },
        "open_now": None if status is None else status["open"],
    }


def nearby_json(nearby: Nearby) -> dict[str, Any]:
    return {**facility_json(nearby.facility), "distance": {
        "metres": round(nearby.metres, 1), "km": round(nearby.km, 3), "miles": round(nearby.miles, 3)}}


def location_json(answer: Answer) -> dict[str, Any]:
    location = answer.location
    return {
        "postcode": location.postcode, "typed": location.typed, "corrected": location.corrected,
        "latitude": round(location.lat, 6), "longitude": round(location.lon, 6),
        "easting": round(location.east), "northing": round(location.north),
    }


@bp.route("/postcodes/<path:postcode>")
def postcode(postcode: str) -> Response:
    """Every area for a postcode; add ?category=libraries for the nearest of that kind."""
    category = request.args.get("category") or None
    count = _count()
    answer = engine().lookup(postcode[:40], category, count)
    data = {"location": location_json(answer), "areas": [area_json(match) for match in answer.areas]}
    if answer.category:
        data["category"] = {"slug": answer.category.slug, "label": answer.category.label}
        data["nearest"] = [nearby_json(nearby) for nearby in answer.nearest]
    return _json(data)


@bp.route("/nearest")
def nearest() -> Response:
    """The nearest places of a category to ?postcode= or to ?lat=&lon=."""
    category = request.args.get("category", "").strip()
    if not category:
        raise NoCategory()
    count = _count()
    places = engine()
    if request.args.get("lat") or request.args.get("lon"):
        answer = places.lookup_point(request.args.get("lat"), request.args.get("lon"), category, count)
    else:
        answer = places.lookup(request.args.get("postcode", "")[:40], category, count)
    return _json({
        "location": location_json(answer),
        "category": {"slug": answer.category.slug, "label": answer.category.label},
        "results": [nearby_json(nearby) for nearby in answer.nearest],
    })


@bp.route("/areas")
def layers() -> Response:
    places = engine()
    return _json({"layers": [
        {**layer.as_dict(), "geojson": url_for("places_api.layer_geojson", layer=layer.name, _external=True)}
        for layer in places.layers
    ]})


@bp.route("/areas/<layer>.geojson")
def layer_geojson(layer: str) -> Response:
    places: Places = engine()
    body = places.layer_geojson(places.layer(layer).name)
    response = Response(body, mimetype="application/geo+json")
    response.headers.update(CORS)
    response.headers["Content-Disposition"] = f'inline; filename="{layer}.geojson"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/categories")
def categories() -> Response:
    places = engine()
    counts = {category.slug: len(places.facilities(category.slug)) for category in places.categories}
    return _json({"categories": [{"slug": c.slug, "label": c.label, "count": counts[c.slug]} for c in places.categories]})
