"""The directory of other organisations as an Open Referral UK 3.0 API, at /api/openreferral/.

Thin views: read the query, ask ``opendata.OpenReferral`` one question, send
JSON. Every answer, errors included, carries ``Access-Control-Allow-Origin: *``
as the standard's compliance rules ask. JSON answers are the same for htmx
requests. The mapping, paging and filters live in ``townhall.opendata``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..opendata import API_META, PHONES, OpenReferral, Paging, ServiceFilters
from ..opendata.paging import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from .common import content_site
from .directory import directory
from .openapi import ApiPart, error_responses, json_response, operation, ref

bp = Blueprint("openreferral", __name__, url_prefix="/api/openreferral")
CORS = {"Access-Control-Allow-Origin": "*"}


@bp.after_request
def open_to_everyone(response: Response) -> Response:
    response.headers.update(CORS)
    return response


def feed() -> OpenReferral:
    """The directory as Open Referral, with absolute links to the directory's own pages."""
    base = request.host_url.rstrip("/")
    return OpenReferral(
        directory(),
        publisher=content_site().council.name,
        page_url=lambda slug: base + url_for("directory.organisation", slug=slug),
        categories_url=base + url_for("directory.index"),
    )


@bp.route("/")
def about() -> Response:
    """Which standard and version this API follows (the validator reads ``version`` here)."""
    return jsonify(API_META)


@bp.route("/services")
def services() -> Response:
    filters = ServiceFilters.from_args(request.args)
    return jsonify(feed().services(filters, Paging.from_args(request.args)))


@bp.route("/services/<id>")
def service(id: str) -> Response:  # the path variable is "id", as the standard names it
    return jsonify(feed().service(id))


@bp.route("/organizations")
def organizations() -> Response:
    return jsonify(feed().organizations(Paging.from_args(request.args)))


@bp.route("/organizations/<id>")
def organization(id: str) -> Response:
    return jsonify(feed().organization(id))


@bp.route("/taxonomies")
def taxonomies() -> Response:
    return jsonify(feed().taxonomies(Paging.from_args(request.args)))


@bp.route("/taxonomies/<id>")
def taxonomy(id: str) -> Response:
    return jsonify(feed().taxonomy(id))


@bp.route("/taxonomy_terms")
def taxonomy_terms() -> Response:
    return jsonify(feed().taxonomy_terms(request.args, Paging.from_args(request.args)))


@bp.route("/taxonomy_terms/<id>")
def taxonomy_term(id: str) -> Response:
    return jsonify(feed().taxonomy_term(id))


@bp.route("/service_at_locations")
def service_at_locations() -> Response:
    return jsonify(feed().service_at_locations(request.args, Paging.from_args(request.args)))


@bp.route("/service_at_locations/<id>")
def service_at_location(id: str) -> Response:
    return jsonify(feed().service_at_location(id))


# --- this API's part of the site's OpenAPI document ---------------------------------------

TAG = "Open Referral UK"
PREFIX = "/api/openreferral"
UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string", "minLength": 1}
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path_id(what: str) -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": f"The {what}'s id, as listed."}


PAGING = [
    _query("page", "Page number, from 1. A page past the end is an empty page.",
           {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _query("per_page", "Results on one page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                "default": DEFAULT_PER_PAGE}),
]
SERVICE_FILTERS = [
    _query("search", "Words that must all appear in the entry (name, description, keywords, category)."),
    _query("taxonomy_term_id", "Only services with this taxonomy term (a directory category)."),
    _query("taxonomy_id", "Only services with a term from this taxonomy."),
    _query("organization_id", "Only services of this organization."),
    _query("minimum_age", "Services whose recorded minimum age is at least this. No entry records ages, "
                          "so this matches none.", {"type": "number", "minimum": 0}),
    _query("maximum_age", "Services whose recorded maximum age is at most this. No entry records ages, "
                          "so this matches none.", {"type": "number", "minimum": 0}),
    _query("start_time", "Open at a time starting at or after this (24-hour, e.g. 09:00).",
           {"type": "string", "pattern": r"^\d\d:\d\d(:\d\d)?$"}),
    _query("end_time", "Open at a time ending at or before this (24-hour, e.g. 17:00).",
           {"type": "string", "pattern": r"^\d\d:\d\d(:\d\d)?$"}),
    _query("day", "Open on this day: MO, TU, WE, TH, FR, SA or SU (or its English name)."),
    _query("full", "true: each service fully nested, as GET /services/{id} answers.", {"type": "boolean"}),
    _query("format", "Only json is offered; any other value is refused (400 not_supported).",
           {"type": "string", "enum": ["json"]}),
    _query("modified_after", "Not offered: we do not record when each entry last changed (400 not_supported)."),
    _query("minimal", "Not offered: there is no modified date to list (400 not_supported).", {"type": "boolean"}),
]
LOCATION_FILTERS = [
    _query("postcode", "Read and checked; no service here has a location, so nothing matches."),
    _query("proximity", "Metres from the postcode; read and checked.", {"type": "string", "pattern": r"^\d+$"}),
]


def _page_schema(items: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [ref("OrukPage"), {"type": "object", "properties": {
        "contents": {"type": "array", "items": items}}}]}


def _get(operation_id: str, summary: str, schema: dict[str, Any], errors: dict[int, list[str]],
         parameters: list[dict[str, Any]] | None = None, description: str | None = None) -> dict[str, Any]:
    return operation(operation_id, summary, {"200": json_response(summary, schema), **error_responses(errors)},
                     tag=TAG, parameters=parameters, description=description)


def _schemas() -> dict[str, Any]:
    term = {"type": "object", "required": ["id", "name", "description"], "properties": {
        "id": UUID, "name": TEXT, "description": TEXT, "taxonomy": TEXT, "taxonomy_id": UUID, "term": TEXT,
        "term_uri": {"type": "string", "format": "uri"}}}
    organization = {"type": "object", "required": ["id", "name", "description"], "properties": {
        "id": UUID, "name": TEXT, "description": TEXT, "email": {"type": "string", "format": "email"},
        "website": {"type": "string", "format": "uri"}}}
    service_item = {"type": "object", "required": ["id", "organization_id", "name", "status"], "properties": {
        "id": UUID, "organization_id": UUID, "name": TEXT, "description": TEXT,
        "url": {"type": "string", "format": "uri"}, "email": {"type": "string", "format": "email"},
        "status": {"enum": ["active", "inactive", "defunct", "temporarily closed"]},
        "assured_date": {"type": "string", "format": "date"}, "organization": ref("OrukOrganization")}}
    schedule = {"type": "object", "required": ["id", "freq", "byday", "opens_at", "closes_at"], "properties": {
        "id": UUID, "service_id": UUID, "freq": {"enum": ["WEEKLY", "MONTHLY"]}, "interval": {"type": "number"},
        "byday": {"type": "string", "pattern": r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$"},
        "opens_at": {"type": "string", "pattern": CLOCK}, "closes_at": {"type": "string", "pattern": CLOCK},
        "description": TEXT}}
    return {
        "OrukApiMeta": {"type": "object", "required": ["version", "profile", "openapi_url"], "properties": {
            "version": {"const": "3.0"}, "profile": {"type": "string", "format": "uri"},
            "openapi_url": {"type": "string", "format": "uri"}}},
        "OrukPage": {"type": "object", "required": ["total_items", "total_pages", "page_number", "size",
                                                   "first_page", "last_page", "empty", "contents"],
                     "properties": {"total_items": {"type": "integer", "minimum": 0},
                                    "total_pages": {"type": "integer", "minimum": 0},
                                    "page_number": {"type": "integer", "minimum": 1},
                                    "size": {"type": "integer", "minimum": 0},
                                    "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
                                    "empty": {"type": "boolean"}, "contents": {"type": "array"}}},
        "OrukOrganization": organization,
        "OrukOrganizationFull": {"allOf": [ref("OrukOrganization"), {"type": "object", "properties": {
            "services": {"type": "array", "items": ref("OrukServiceListItem")}}}]},
        "OrukServiceListItem": service_item,
        "OrukService": {"allOf": [ref("OrukServiceListItem"), {"type": "object", "properties": {
            "schedules": {"type": "array", "items": schedule},
            "attributes": {"type": "array", "items": {
                "type": "object", "required": ["id", "link_id", "taxonomy_term_id", "taxonomy_term"], "properties": {
                    "id": UUID, "link_id": UUID, "taxonomy_term_id": UUID, "taxonomy_term": ref("OrukTaxonomyTerm")}}},
            PHONES: {
                "type": "array",
                "description": "Local extension: the UK profile keeps no phones on a service, so the numbers "
                               "are here, each shaped like the profile's phone object.",
                "items": {"type": "object", "required": ["id", "number", "description"], "properties": {
                    "id": UUID, "number": TEXT, "description": TEXT}}}}}]},
        "OrukTaxonomy": {"type": "object", "required": ["id", "name", "description"], "properties": {
            "id": UUID, "name": TEXT, "description": TEXT, "uri": {"type": "string", "format": "uri"}}},
        "OrukTaxonomyFull": {"allOf": [ref("OrukTaxonomy"), {"type": "object", "properties": {
            "taxonomy_terms": {"type": "array", "items": ref("OrukTaxonomyTerm")}}}]},
        "OrukTaxonomyTerm": term,
    }


def openapi_part() -> ApiPart:
    bad, missing = {400: ["bad_parameter", "not_supported"]}, {404: ["not_found"]}
    paging_only = {400: ["bad_parameter"]}
    return ApiPart(
        paths={
            f"{PREFIX}/": _get("getAPIMetaInformation", "Which standard, version and profile this API follows",
                               ref("OrukApiMeta"), {}),
            f"{PREFIX}/services": _get(
                "getPaginatedListOfServices", "A page of services (one-to-one fields)",
                _page_schema(ref("OrukServiceListItem")), bad, PAGING + SERVICE_FILTERS,
                "Every filter the specification lists either works or is refused with a 400 that says why."),
            f"{PREFIX}/services/{{id}}": _get("getFullyNestedServiceById", "One service, fully nested",
                                              ref("OrukService"), missing, [_path_id("service")]),
            f"{PREFIX}/organizations": _get("getPaginatedListOfOrganizations", "A page of organizations",
                                            _page_schema(ref("OrukOrganization")), paging_only, PAGING),
            f"{PREFIX}/organizations/{{id}}": _get("getOrganizationById", "One organization with its services",
                                                   ref("OrukOrganizationFull"), missing, [_path_id("organization")]),
            f"{PREFIX}/taxonomies": _get("getPaginatedListOfTaxonomies", "A page of taxonomies",
                                         _page_schema(ref("OrukTaxonomy")), paging_only, PAGING),
            f"{PREFIX}/taxonomies/{{id}}": _get("getTaxonomyById", "One taxonomy with its terms",
                                                ref("OrukTaxonomyFull"), missing, [_path_id("taxonomy")]),
            f"{PREFIX}/taxonomy_terms": _get(
                "getPaginatedListOfTaxonomyTerms", "A page of taxonomy terms (the directory's categories)",
                _page_schema(ref("OrukTaxonomyTerm")), paging_only,
                PAGING + [_query("search", "Words that must all appear in the term's name or description."),
                          _query("taxonomy_id", "Only terms of this taxonomy."),
                          _query("top_only", "Every term here is at the top level.", {"type": "boolean"}),
                          _query("parent_id", "No term here has a parent, so this matches none.")]),
            f"{PREFIX}/taxonomy_terms/{{id}}": _get("getTaxonomyTermById", "One taxonomy term",
                                                    ref("OrukTaxonomyTerm"), missing, [_path_id("taxonomy term")]),
            f"{PREFIX}/service_at_locations": _get(
                "getPaginatedListOfServiceAtLocation", "A page of services at locations: always empty here",
                _page_schema({"type": "object"}), bad, PAGING + SERVICE_FILTERS + LOCATION_FILTERS,
                "Every organisation in this directory works by phone, online or by post, not at a place, "
                "so there are no services at locations."),
            f"{PREFIX}/service_at_locations/{{id}}": _get(
                "getServiceAtLocationById", "One service at a location: there are none here",
                {"type": "object"}, missing, [_path_id("service at a location")]),
        },
        schemas=_schemas(),
        tags=[{"name": TAG, "description": "The directory of other organisations as an Open Referral UK 3.0 API "
                                           "(HSDS 3.0 UK profile)."}],
    )
