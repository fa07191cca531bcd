"""The places JSON API: the same answers as the pages, and each area layer as open data.

Errors are JSON with the same plain messages as the pages and the domain
error's status: {"error": {"code": "outside_area", "status": 404, "message": "..."}}.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from .. import engines
from ..places.engine import Answer, AreaMatch, Nearby, Places
from ..places.errors import NoCategory, PlacesError
from ..places.store import Facility
from ..text import N_
from .templating import council_name
from .wording import open_status

bp = Blueprint("places_api", __name__, url_prefix="/api")
MAX_COUNT = 20


class BadCount(PlacesError):
    status = 400
    code = "bad_count"
    template = N_("Count must be a whole number from 1 to %(most)s.")


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


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


@bp.route("/openapi.json")
def openapi() -> Response:
    return _json(openapi_document())


def openapi_document() -> dict[str, Any]:
    error = {"$ref": "#/components/responses/Error"}
    postcode_param = {"name": "postcode", "in": "path", "required": True, "schema": {"type": "string"},
                      "description": "A UK postcode, in any case and spacing, e.g. BK1 1AA."}
    count_param = {"name": "count", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_COUNT, "default": 5}}
    category_param = {"name": "category", "in": "query", "schema": {"type": "string"},
                      "description": "A category slug from /api/categories, e.g. libraries."}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{council_name()} places API",
            "version": "1.0.0",
            "description": "Which council areas a postcode is in (wards, school catchment areas, bin rounds, parishes), "
                           "the nearest council places with opening hours, and every area layer as GeoJSON open data. "
                           "Errors are JSON objects with a plain-English message.",
            "license": {"name": "Open Government Licence v3.0",
                        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
        },
        "servers": [{"url": request.url_root.rstrip("/")}],
        "paths": {
            "/api/postcodes/{postcode}": {"get": {
                "summary": "Every area for a postcode (and optionally the nearest places of one category)",
                "parameters": [postcode_param, category_param, count_param],
                "responses": {"200": {"description": "The postcode's areas", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PostcodeAnswer"}}}},
                    "400": error, "404": error, "410": error, "503": error},
            }},
            "/api/nearest": {"get": {
                "summary": "The nearest places of a category to a postcode or a latitude/longitude",
                "parameters": [
                    {**category_param, "required": True},
                    {"name": "postcode", "in": "query", "schema": {"type": "string"}},
                    {"name": "lat", "in": "query", "schema": {"type": "number", "minimum": -90, "maximum": 90}},
                    {"name": "lon", "in": "query", "schema": {"type": "number", "minimum": -180, "maximum": 180}},
                    count_param,
                ],
                "responses": {"200": {"description": "Nearest first", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NearestAnswer"}}}},
                    "400": error, "404": error, "410": error, "503": error},
            }},
            "/api/areas": {"get": {"summary": "The area layers and their editions", "responses": {"200": {
                "description": "Layers", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/areas/{layer}.geojson": {"get": {
                "summary": "One area layer as a GeoJSON FeatureCollection (WGS84)",
                "parameters": [{"name": "layer", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "GeoJSON", "content": {"application/geo+json": {
                    "schema": {"type": "object"}}}}, "404": error},
            }},
            "/api/categories": {"get": {"summary": "Kinds of place you can search for", "responses": {"200": {
                "description": "Categories", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
        "components": {
            "responses": {"Error": {"description": "A plain-English explanation", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string", "enum": ["not_a_postcode", "postcode_not_found", "postcode_terminated",
                                                        "outside_area", "not_a_location", "unknown_category",
                                                        "no_category", "unknown_layer", "bad_count", "geodata_missing"]},
                    "status": {"type": "integer"}, "message": {"type": "string"},
                    "find_council": {"type": "string", "format": "uri",
                                     "description": "outside_area only: where to find the reader's own council"}}}}},
                "Location": {"type": "object", "properties": {
                    "postcode": {"type": ["string", "null"]}, "typed": {"type": ["string", "null"]},
                    "corrected": {"type": "boolean"}, "latitude": {"type": "number"}, "longitude": {"type": "number"},
                    "easting": {"type": "integer"}, "northing": {"type": "integer"}}},
                "AreaMatch": {"type": "object", "properties": {
                    "layer": {"type": "string"}, "layer_title": {"type": "string"},
                    "edition": {"type": "string", "examples": ["catchment areas for 2026/27 entry"]},
                    "area": {"type": ["object", "null"], "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                                                        "properties": {"type": "object"}}},
                    "metres_to_boundary": {"type": ["integer", "null"], "description": "null when more than 5 km"},
                    "near_boundary": {"type": "boolean"}, "confirm": {"type": ["string", "null"]}}},
                "Place": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "category": {"type": "string"},
                    "address": {"type": "string"}, "postcode": {"type": "string"},
                    "latitude": {"type": "number"}, "longitude": {"type": "number"},
                    "phone": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]},
                    "website": {"type": ["string", "null"]}, "accessibility": {"type": ["string", "null"]},
                    "opening_hours": {"type": ["object", "null"]}, "open_now": {"type": ["boolean", "null"]},
                    "distance": {"type": "object", "properties": {"metres": {"type": "number"}, "km": {"type": "number"},
                                                                  "miles": {"type": "number"}}}}},
                "PostcodeAnswer": {"type": "object", "properties": {
                    "location": {"$ref": "#/components/schemas/Location"},
                    "areas": {"type": "array", "items": {"$ref": "#/components/schemas/AreaMatch"}},
                    "nearest": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}}},
                "NearestAnswer": {"type": "object", "properties": {
                    "location": {"$ref": "#/components/schemas/Location"}, "category": {"type": "object"},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}}},
            },
        },
    }
