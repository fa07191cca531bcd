"""The places JSON API: the same answers as the pages, and each area layer as open data.

Errors are JSON with the same plain messages as the pages and the domain
error's status: {"error": {"code": "outside_area", "status": 404, "message": "..."}}.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from .. import engines
from ..places.engine import Answer, AreaMatch, Nearby, Places
from ..places.errors import NoCategory, OutsideArea, PlacesError
from ..places.store import Facility
from ..text import N_
from .common import content_site
from .errors import domain_error
from .insights import note_outside_postcode
from .openapi import ApiPart, error_responses, json_response, operation, ref
from .wording import open_status

bp = Blueprint("places_api", __name__, url_prefix="/api")
MAX_COUNT = 20


class BadCount(PlacesError):
    status = 400
    code = "bad_count"
    template = N_("Count must be a whole number from 1 to %(most)s.")


@bp.errorhandler(OutsideArea)
def outside_area(error: OutsideArea):
    """Noted for the content team (the outward code only), then answered like every domain error."""
    note_outside_postcode(error.params.get("place"))
    return domain_error(error)


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def _count() -> int:
    text = request.args.get("count", "5").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_COUNT:
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
    answer = engines.places().lookup(postcode[:40], category, count)
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
    answer = engines.places().answer(postcode=request.args.get("postcode", "")[:40], lat=request.args.get("lat"),
                                     lon=request.args.get("lon"), category=category, count=count)
    return _json({
        "location": location_json(answer),
        "category": {"slug": answer.category.slug, "label": answer.category.label},
        "results": [nearby_json(nearby) for nearby in answer.nearest],
    })


@bp.route("/areas")
def layers() -> Response:
    places = engines.places()
    return _json({"layers": [
        {**layer.as_dict(), "geojson": url_for("places_api.layer_geojson", layer=layer.name, _external=True)}
        for layer in places.layers
    ]})


@bp.route("/areas/<layer>.geojson")
def layer_geojson(layer: str) -> Response:
    places: Places = engines.places()
    body = places.layer_geojson(places.layer(layer).name)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Content-Disposition"] = f'inline; filename="{layer}.geojson"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/categories")
def categories() -> Response:
    places = engines.places()
    counts = {category.slug: len(places.facilities(category.slug)) for category in places.categories}
    return _json({"categories": [{"slug": c.slug, "label": c.label, "count": counts[c.slug]} for c in places.categories]})


# --- this API's part of the OpenAPI document (web/openapi.py assembles it) -------------------

TAG = "Places"
UNAVAILABLE = {503: ["geodata_missing"]}
_LOOKUP_ERRORS = {
    400: ["not_a_postcode", "not_a_real_address", "bad_count"],
    404: ["postcode_not_found", "outside_area", "unknown_category"],
    410: ["postcode_terminated"],
    **UNAVAILABLE,
}
_PRECEDENCE = (
    "Give either a postcode or a latitude and longitude. When both are given, the location wins: "
    "as soon as lat or lon has a value the postcode is not read, and then both lat and lon are needed."
)


def _parameters() -> dict[str, dict[str, Any]]:
    return {
        "postcode_path": {"name": "postcode", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40},
                          "description": "A UK postcode, in any case and spacing, e.g. "
                                         f"{content_site().council.example_postcode}."},
        "count": {"name": "count", "in": "query", "description": "How many places to list, nearest first.",
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "default": 5}},
        "category": {"name": "category", "in": "query", "schema": {"type": "string"},
                     "description": "A category slug from /api/categories, e.g. libraries."},
        "postcode": {"name": "postcode", "in": "query", "schema": {"type": "string", "maxLength": 40},
                     "description": "A UK postcode. Not read when lat or lon is given."},
        "lat": {"name": "lat", "in": "query", "schema": {"type": "number", "minimum": -90, "maximum": 90},
                "description": "Latitude (WGS84). Takes precedence over postcode; needs lon."},
        "lon": {"name": "lon", "in": "query", "schema": {"type": "number", "minimum": -180, "maximum": 180},
                "description": "Longitude (WGS84). Takes precedence over postcode; needs lat."},
    }


def _paths() -> dict[str, Any]:
    p = _parameters()
    return {
        "/api/postcodes/{postcode}": operation(
            "getPostcodeAreas", "Every area for a postcode (and optionally the nearest places of one category)",
            {"200": json_response("The postcode's areas", ref("PostcodeAnswer")), **error_responses(_LOOKUP_ERRORS)},
            tag=TAG, parameters=[p["postcode_path"], p["category"], p["count"]]),
        "/api/nearest": operation(
            "getNearestPlaces", "The nearest places of a category to a postcode or a latitude/longitude",
            {"200": json_response("Nearest first", ref("NearestAnswer")), **error_responses({
                400: ["no_category", "not_a_postcode", "not_a_real_address", "not_a_location", "bad_count"],
                404: ["postcode_not_found", "outside_area", "unknown_category"],
                410: ["postcode_terminated"], **UNAVAILABLE})},
            tag=TAG, description=_PRECEDENCE,
            parameters=[{**p["category"], "required": True}, p["postcode"], p["lat"], p["lon"], p["count"]]),
        "/api/areas": operation(
            "listAreaLayers", "The area layers, their editions, sources and licences",
            {"200": json_response("Layers in display order", ref("LayerList")), **error_responses(UNAVAILABLE)},
            tag=TAG),
        "/api/areas/{layer}.geojson": operation(
            "getAreaLayerGeoJson", "One area layer as a GeoJSON FeatureCollection (RFC 7946, WGS84)",
            {"200": json_response("The layer's areas; exterior rings run anticlockwise and holes clockwise",
                                  ref("AreaLayerGeoJson"), media_type="application/geo+json"),
             **error_responses({404: ["unknown_layer"], **UNAVAILABLE})},
            tag=TAG, parameters=[{"name": "layer", "in": "path", "required": True, "schema": {"type": "string"},
                                  "description": "A layer name from /api/areas, e.g. wards."}]),
        "/api/categories": operation(
            "listPlaceCategories", "Kinds of place you can search for, with how many of each",
            {"200": json_response("Categories", ref("CategoryList")), **error_responses(UNAVAILABLE)}, tag=TAG),
    }


def _schemas() -> dict[str, Any]:
    nullable_text = {"type": ["string", "null"]}
    polygon_coordinates = {"type": "array", "items": {"type": "array", "minItems": 4, "items": {
        "type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}}}
    return {
        "Location": {"type": "object", "required": ["postcode", "latitude", "longitude"], "properties": {
            "postcode": nullable_text, "typed": nullable_text, "corrected": {"type": "boolean"},
            "latitude": {"type": "number"}, "longitude": {"type": "number"},
            "easting": {"type": "integer"}, "northing": {"type": "integer"}}},
        "AreaMatch": {"type": "object", "required": ["layer", "area"], "properties": {
            "layer": {"type": "string"}, "layer_title": {"type": "string"},
            "edition": {"type": "string", "examples": ["catchment areas for 2026/27 entry"]},
            "area": {"type": ["object", "null"], "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "properties": {"type": "object"}}},
            "metres_to_boundary": {"type": ["integer", "null"], "description": "null when more than 5 km"},
            "near_boundary": {"type": "boolean"}, "confirm": nullable_text}},
        "Place": {"type": "object", "required": ["id", "name", "category", "latitude", "longitude"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
            "address": {"type": "string"}, "postcode": {"type": "string"},
            "latitude": {"type": "number"}, "longitude": {"type": "number"},
            "phone": nullable_text, "email": nullable_text, "website": nullable_text,
            "accessibility": nullable_text, "description": nullable_text,
            "opening_hours": {"type": ["object", "null"], "properties": {
                "text": {"type": "string"},
                "week": {"type": "array", "items": {"type": "object", "properties": {
                    "day": {"type": "string"}, "times": {"type": "string"}}}}}},
            "open_now": {"type": ["boolean", "null"]},
            "distance": {"type": "object", "properties": {
                "metres": {"type": "number"}, "km": {"type": "number"}, "miles": {"type": "number"}}}}},
        "PlaceCategory": {"type": "object", "required": ["slug", "label"], "properties": {
            "slug": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer", "minimum": 0}}},
        "PostcodeAnswer": {"type": "object", "required": ["location", "areas"], "properties": {
            "location": ref("Location"),
            "areas": {"type": "array", "items": ref("AreaMatch")},
            "category": ref("PlaceCategory"),
            "nearest": {"type": "array", "items": ref("Place")}}},
        "NearestAnswer": {"type": "object", "required": ["location", "category", "results"], "properties": {
            "location": ref("Location"), "category": ref("PlaceCategory"),
            "results": {"type": "array", "items": ref("Place")}}},
        "Layer": {"type": "object", "required": ["name", "title", "area_count", "geojson"], "properties": {
            "name": {"type": "string"}, "title": {"type": "string"}, "edition": {"type": "string"},
            "kind": {"type": "string"}, "description": {"type": "string"}, "confirm": {"type": "string"},
            "source": {"type": "string"}, "licence": {"type": "string"}, "boundary_warning": {"type": "boolean"},
            "translations": {"type": "object"}, "area_count": {"type": "integer", "minimum": 0},
            "imported_at": {"type": "string"}, "geojson": {"type": "string", "format": "uri"}}},
        "LayerList": {"type": "object", "required": ["layers"], "properties": {
            "layers": {"type": "array", "items": ref("Layer")}}},
        "CategoryList": {"type": "object", "required": ["categories"], "properties": {
            "categories": {"type": "array", "items": ref("PlaceCategory")}}},
        "AreaLayerGeoJson": {
            "type": "object", "required": ["type", "features"],
            "description": "A GeoJSON FeatureCollection (RFC 7946). `layer` says which layer, its edition, "
                           "source and licence.",
            "properties": {
                "type": {"const": "FeatureCollection"},
                "layer": {"type": "object", "properties": {
                    "name": {"type": "string"}, "title": {"type": "string"}, "edition": {"type": "string"},
                    "source": {"type": "string"}, "licence": {"type": "string"}}},
                "features": {"type": "array", "items": {
                    "type": "object", "required": ["type", "properties", "geometry"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "id": {"type": "string"},
                        "properties": {"type": "object", "required": ["code", "name"]},
                        "geometry": {"oneOf": [
                            {"type": "object", "required": ["type", "coordinates"], "properties": {
                                "type": {"const": "Polygon"}, "coordinates": polygon_coordinates}},
                            {"type": "object", "required": ["type", "coordinates"], "properties": {
                                "type": {"const": "MultiPolygon"},
                                "coordinates": {"type": "array", "items": polygon_coordinates}}},
                        ]}}}}}},
    }


def openapi_part() -> ApiPart:
    return ApiPart(paths=_paths(), schemas=_schemas(), tags=[{
        "name": TAG, "description": "Postcode answers, nearest council places and area layers. "
                                    "Open Government Licence v3.0."}])
