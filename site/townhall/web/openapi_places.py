"""The places API's part of the OpenAPI document (postcodes, nearest places, area layers).

Kept beside ``places_api.py`` rather than in it while that module is being
reworked; it imports nothing from it. ``COUNT_MOST`` must match the API's
``MAX_COUNT`` (a test checks they agree).
"""

from __future__ import annotations

from typing import Any

from .openapi import ApiPart, error_responses, json_response, operation, ref

TAG = "Places"
COUNT_MOST = 20
UNAVAILABLE = {503: ["geodata_missing"]}
_LOOKUP_ERRORS = {
    400: ["not_a_postcode", "bad_count"],
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
                          "description": "A UK postcode, in any case and spacing, e.g. BK1 1AA."},
        "count": {"name": "count", "in": "query", "description": "How many places to list, nearest first.",
                  "schema": {"type": "integer", "minimum": 1, "maximum": COUNT_MOST, "default": 5}},
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
                400: ["no_category", "not_a_postcode", "not_a_location", "bad_count"],
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
