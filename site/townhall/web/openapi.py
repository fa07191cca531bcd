"""The site's OpenAPI 3.1 document at /api/openapi.json, assembled from each API's own part.

Each JSON API contributes an ``ApiPart`` (its paths and schemas) through a
function listed in ``PARTS``; this module adds what they share: the error shape,
whose ``code`` list is collected from the error responses the parts declare, and
the document's own entry. A test walks the app's routes under /api/ and fails
when one is missing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from flask import Blueprint, Response, jsonify, request

from .common import content_site

bp = Blueprint("openapi", __name__, url_prefix="/api")

# "module:function" for each API's part, in the order their paths appear in the document.
PARTS = (
    "townhall.web.places_api:openapi_part",
    "townhall.web.directory:openapi_part",
    "townhall.web.openreferral:openapi_part",
    "townhall.web.alerts:openapi_part",
    "townhall.web.hear_back:openapi_part",
    "townhall.web.ask:openapi_part",
    "townhall.web.openapi:openapi_part",
)
ERROR_CODES_KEY = "x-error-codes"  # on each error response: the codes it can carry
JSON = "application/json"


@dataclass
class ApiPart:
    """One API's contribution: paths (keyed by their full /api/... path), schemas and tags."""

    paths: dict[str, Any]
    schemas: dict[str, Any] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)


def ref(schema: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema}"}


def json_response(description: str, schema: Mapping[str, Any], media_type: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": dict(schema)}}}


def error_responses(by_status: Mapping[int, Iterable[str]]) -> dict[str, Any]:
    """Error responses in the site's shape, each saying which codes it can carry."""
    responses = {}
    for status, codes in sorted(by_status.items()):
        codes = list(codes)
        responses[str(status)] = {
            "description": "A plain-English explanation. Codes: " + ", ".join(codes) + ".",
            ERROR_CODES_KEY: codes,
            "content": {JSON: {"schema": ref("Error")}},
        }
    return responses


def operation(operation_id: str, summary: str, responses: Mapping[str, Any], *, tag: str,
              description: str | None = None, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        found["description"] = description
    if parameters:
        found["parameters"] = parameters
    found["responses"] = dict(responses)
    return {"get": found}


def openapi_part() -> ApiPart:
    """The document describes itself too, so every JSON route under /api/ is in it."""
    return ApiPart(
        paths={"/api/openapi.json": operation(
            "getOpenApiDocument", "This document: every JSON route of the site, in OpenAPI 3.1",
            {"200": json_response("The OpenAPI document", ref("OpenApiDocument"))}, tag="About the API")},
        schemas={"OpenApiDocument": {"type": "object", "required": ["openapi", "info", "paths"],
                                     "properties": {"openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
                                                    "info": {"type": "object"}, "paths": {"type": "object"}}}},
        tags=[{"name": "About the API", "description": "This description of the API."}],
    )


def _parts() -> list[ApiPart]:
    parts = []
    for spec in PARTS:
        module, function = spec.split(":")
        parts.append(getattr(import_module(module), function)())
    return parts


def error_schema(codes: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "status", "message"],
            "properties": {
                "code": {"type": "string", "enum": sorted(set(codes))},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "message": {"type": "string", "minLength": 1},
                "find_council": {"type": "string", "format": "uri",
                                 "description": "outside_area only: where to find the reader's own council"},
            },
        }},
    }


def declared_error_codes(paths: Mapping[str, Any]) -> set[str]:
    """Every code the operations' error responses say they can carry."""
    codes: set[str] = set()
    for item in paths.values():
        for found in item.values():
            for response in found.get("responses", {}).values():
                codes.update(response.get(ERROR_CODES_KEY, ()))
    return codes


def openapi_document(council: str, server: str) -> dict[str, Any]:
    parts = _parts()
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: list[dict[str, str]] = []
    for part in parts:
        paths.update(part.paths)
        schemas.update(part.schemas)
        tags.extend(part.tags)
    schemas["Error"] = error_schema(declared_error_codes(paths))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{council} open data API",
            "version": "2.0.0",
            "description": (
                f"Open data from {council}: which council areas a postcode is in (wards, school catchment areas, "
                "bin rounds, parishes), the nearest council places with opening hours, every area layer as "
                "GeoJSON (RFC 7946), and the directory of other organisations as an Open Referral UK 3.0 API. "
                "Errors are JSON objects with a plain-English message: "
                '{"error": {"code": "...", "status": 404, "message": "..."}}. '
                "Every response allows any web page to read it (Access-Control-Allow-Origin: *). "
                "The developers page on the website explains licences and gives examples."
            ),
            "license": {"name": "Open Government Licence v3.0",
                        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server}],
        "tags": tags,
        "paths": paths,
        "components": {"schemas": schemas},
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    document = openapi_document(content_site().council.name, request.url_root.rstrip("/"))
    response = jsonify(document)
    return response
