"""The directory of other organisations as Open Referral UK 3.0 (the HSDS 3.0 UK profile).

Each organisation in ``content/directory/`` is one ``organization`` providing one
``service``. Records follow the UK profile's compiled schemas: optional fields are
left out when we have nothing for them (never ``""``), every service names its
``organization_id``, every attribute and taxonomy term has an id and a
description, and nothing the profile removes is sent (no
``eligibility_description``, contact emails or phones, schedule ``timezone``,
organisation ``locations``, taxonomy ``vocabulary``).

Phone numbers. The UK profile removes ``phones`` from every object a service
carries (service, contact, organisation, location, service_at_location), so no
standard field can hold them. The profile's compliance rules allow further
response properties that do not conflict with the specification and recommend a
convention that marks them as local. So full service records carry the numbers
in ``x_townhall_phones``: each entry has exactly the fields the profile keeps on
its own ``phone`` object (``id``, ``number``, ``description``), the description
saying what HSDS's removed ``type`` would (textphone, emergency, Welsh line).
Consumers that read only standard fields still reach the organisation through
its ``url`` and ``email``.

Identifiers are UUIDs made from the organisation's file name (UUID version 5), so
they stay the same across restarts and releases. No Flask here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from ..content.directory import Directory, Organisation
from ..content.models import Category
from ..hours import OpeningHours
from . import paging as params
from .errors import BadParameter, NotFound, NotSupported
from .paging import Paging, page_of

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://brackenford.example/directory")  # never change: ids hang on it
API_META = {
    "version": "3.0",
    "profile": "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
    "openapi_url": "https://openreferraluk.org/specifications/3.0/openapi.json",
}
PHONES = "x_townhall_phones"  # the local property that carries phone numbers (see the module's docstring)
TAXONOMY_KEY = "directory-categories"
END_OF_DAY = "23:59:59"  # the standard's times cannot say 24:00; a span to midnight closes here


def make_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class ServiceFilters:
    """The filters the specification lists for ``GET /services``, read and checked.

    Each one either works or is refused with a plain reason: none is silently ignored.
    """

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    start_time: time | None = None
    end_time: time | None = None
    day: str | None = None
    full: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ServiceFilters:
        _refuse_unsupported(args)
        return cls(
            search=params.text(args, "search"),
            taxonomy_term_id=params.text(args, "taxonomy_term_id"),
            taxonomy_id=params.text(args, "taxonomy_id"),
            organization_id=params.text(args, "organization_id"),
            minimum_age=params.number(args, "minimum_age"),
            maximum_age=params.number(args, "maximum_age"),
            start_time=params.clock_time(args, "start_time"),
            end_time=params.clock_time(args, "end_time"),
            day=params.day(args),
            full=bool(params.boolean(args, "full")),
        )


UNSUPPORTED = {
    "modified_after": "we do not record when each entry last changed (assured_date says when it was last checked).",
    "minimal": "we do not record when each entry last changed, so there is no modified date to list.",
}


def _refuse_unsupported(args: Mapping[str, str]) -> None:
    for name, reason in UNSUPPORTED.items():
        if params.text(args, name) is not None:
            raise NotSupported(name=name, reason=reason)
    fmt = params.text(args, "format")
    if fmt is not None and fmt.lower() != "json":
        raise NotSupported(name="format", reason="this API answers in JSON only (format=json).")


def refuse_location_filters(args: Mapping[str, str]) -> None:
    """``postcode`` and ``proximity`` are read (so a mistake is reported) even though nothing has a location."""
    params.text(args, "postcode")
    proximity = params.text(args, "proximity")
    if proximity is not None and not (proximity.isascii() and proximity.isdigit()):
        raise BadParameter(name="proximity", value=params.shown(proximity),
                           hint="Use a distance in metres, like 1500.")


class OpenReferral:
    """The directory seen through the Open Referral UK 3.0 API.

    ``publisher`` names the council (for the taxonomy's description);
    ``page_url(slug)`` and ``categories_url`` are absolute addresses of the
    directory's own pages, used where an organisation has no website of its own
    and as the taxonomy's address.
    """

    def __init__(self, directory: Directory, *, publisher: str, page_url: Callable[[str], str],
                 categories_url: str | None = None) -> None:
        self.directory = directory
        self.publisher = publisher
        self.page_url = page_url
        self.categories_url = categories_url
        self.organisations = sorted(directory.organisations.values(), key=lambda org: org.sort_key)
        self._by_service = {make_id("service", org.slug): org for org in self.organisations}
        self._by_organization = {make_id("organization", org.slug): org for org in self.organisations}
        self.categories = [c for slug, c in directory.categories.items() if directory.in_category(slug)]
        self._terms = {make_id("category", c.slug): c for c in self.categories}
        self.taxonomy_id = make_id("taxonomy", TAXONOMY_KEY)

    # --- services -------------------------------------------------------------------

    def services(self, filters: ServiceFilters, paging: Paging) -> dict[str, Any]:
        chosen = [org for org in self.organisations if self._matches(org, filters)]
        shape = self.service_record if filters.full else self.service_list_item
        return page_of(chosen, paging, shape)

    def service(self, service_id: str) -> dict[str, Any]:
        org = self._by_service.get(service_id)
        if org is None:
            raise NotFound(kind="service", id=params.shown(service_id), listing="GET /services")
        return self.service_record(org)

    def service_list_item(self, org: Organisation) -> dict[str, Any]:
        """The one-to-one fields of a service, as ``GET /services`` lists them."""
        service_id = make_id("service", org.slug)
        return _without_empty({
            "id": service_id,
            "organization_id": make_id("organization", org.slug),
            "name": org.name,
            "description": _description(org),
            "url": org.contact.website or self.page_url(org.slug),
            "email": org.contact.email,
            "status": "active",
            "assured_date": org.reviewed.isoformat() if org.reviewed else None,
            "organization": self.organization_item(org),
        })

    def service_record(self, org: Organisation) -> dict[str, Any]:
        """A fully nested service, as ``GET /services/{id}`` answers."""
        record = self.service_list_item(org)
        service_id = record["id"]
        record["schedules"] = schedules(org.contact.hours, service_id, org.contact.hours_note)
        term = self.term_for(org)
        if term is not None:
            record["attributes"] = [{
                "id": make_id(service_id, "attribute", term["id"]),
                "link_id": service_id,
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }]
        record[PHONES] = phones(org, service_id)
        return _without_empty(record)

    def _matches(self, org: Organisation, filters: ServiceFilters) -> bool:
        if filters.search and not _search_matches(self._haystack(org), filters.search):
            return False
        if filters.taxonomy_term_id and filters.taxonomy_term_id != make_id("category", org.category):
            return False
        if filters.taxonomy_id and filters.taxonomy_id != self.taxonomy_id:
            return False
        if filters.organization_id and filters.organization_id != make_id("organization", org.slug):
            return False
        # No organisation records an age limit, so an age filter matches none (there is no age to compare).
        if filters.minimum_age is not None or filters.maximum_age is not None:
            return False
        if filters.day or filters.start_time or filters.end_time:
            return _open_matches(org.contact.hours, filters)
        return True

    def _haystack(self, org: Organisation) -> str:
        category = self.directory.categories.get(org.category)
        words = [org.name, org.responsible_for, org.contact_when, org.not_for or "", *org.keywords, *org.keywords_cy,
                 category.title if category else ""]
        return " ".join(words).lower()

    # --- organisations ----------------------------------------------------------------

    def organization_item(self, org: Organisation) -> dict[str, Any]:
        return _without_empty({
            "id": make_id("organization", org.slug),
            "name": org.name,
            "description": org.responsible_for,
            "email": org.contact.email,
            "website": org.contact.website,
        })

    def organizations(self, paging: Paging) -> dict[str, Any]:
        return page_of(self.organisations, paging, self.organization_item)

    def organization(self, organization_id: str) -> dict[str, Any]:
        org = self._by_organization.get(organization_id)
        if org is None:
            raise NotFound(kind="organization", id=params.shown(organization_id), listing="GET /organizations")
        return {**self.organization_item(org), "services": [self.service_list_item(org)]}

    # --- taxonomies -------------------------------------------------------------------

    def taxonomy_item(self) -> dict[str, Any]:
        return _without_empty({
            "id": self.taxonomy_id,
            "name": "Directory categories",
            "description": f"How {self.publisher} groups the other organisations in its directory of "
                           "services it is not responsible for.",
            "uri": self.categories_url,
        })

    def taxonomies(self, paging: Paging) -> dict[str, Any]:
        return page_of([self.taxonomy_item()], paging)

    def taxonomy(self, taxonomy_id: str) -> dict[str, Any]:
        if taxonomy_id != self.taxonomy_id:
            raise NotFound(kind="taxonomy", id=params.shown(taxonomy_id), listing="GET /taxonomies")
        return {**self.taxonomy_item(), "taxonomy_terms": [self.term(c) for c in self.categories]}

    def term(self, category: Category) -> dict[str, Any]:
        return _without_empty({
            "id": make_id("category", category.slug),
            "name": category.title,
            "description": category.summary,
            "taxonomy": "Directory categories",
            "taxonomy_id": self.taxonomy_id,
            "term": category.slug,
            "term_uri": f"{self.categories_url}#{category.slug}" if self.categories_url else None,
        })

    def term_for(self, org: Organisation) -> dict[str, Any] | None:
        category = self.directory.categories.get(org.category)
        return None if category is None else self.term(category)

    def taxonomy_terms(self, args: Mapping[str, str], paging: Paging) -> dict[str, Any]:
        """Terms, filtered by the parameters HSDS lists for this endpoint."""
        search, taxonomy_id = params.text(args, "search"), params.text(args, "taxonomy_id")
        parent_id = params.text(args, "parent_id")
        params.boolean(args, "top_only")  # read so a bad value is reported: every category is a top-level term
        chosen = [c for c in self.categories
                  if (not search or _search_matches(f"{c.title} {c.summary}".lower(), search))
                  and (not taxonomy_id or taxonomy_id == self.taxonomy_id)
                  and not parent_id]  # no category has a parent
        return page_of(chosen, paging, self.term)

    def taxonomy_term(self, term_id: str) -> dict[str, Any]:
        category = self._terms.get(term_id)
        if category is None:
            raise NotFound(kind="taxonomy term", id=params.shown(term_id), listing="GET /taxonomy_terms")
        return self.term(category)

    # --- service at locations ---------------------------------------------------------

    def service_at_locations(self, args: Mapping[str, str], paging: Paging) -> dict[str, Any]:
        """Always an empty page: every organisation here works by phone, online or by post, not at a place."""
        ServiceFilters.from_args(args)
        refuse_location_filters(args)
        return page_of([], paging)

    def service_at_location(self, link_id: str) -> dict[str, Any]:
        raise NotFound(kind="service at a location", id=params.shown(link_id), listing="GET /service_at_locations")


# --- pieces of a record -----------------------------------------------------------------


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    """The UK profile asks for optional fields to be left out rather than sent empty."""
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}


def _description(org: Organisation) -> str:
    """What they do, when to contact them and what they do not do, as plain paragraphs.

    The profile removes ``eligibility_description``, and "when to contact them" is the
    heart of a directory entry, so it goes in the description the profile keeps.
    """
    parts = [org.responsible_for, f"When to contact them: {org.contact_when}"]
    if org.not_for:
        parts.append(org.not_for)
    return "\n\n".join(part for part in parts if part.strip())


def phones(org: Organisation, service_id: str) -> list[dict[str, str]]:
    """Every number, shaped like the UK profile's own phone object (id, number, description)."""
    contact = org.contact
    numbers = [(contact.phone, "Main number"), (contact.textphone, "Textphone or Relay UK"),
               (contact.emergency, "Emergency number")]
    numbers += [(other.phone, other.label) for other in contact.other_numbers]
    return [{"id": make_id(service_id, "phone", number), "number": number, "description": label}
            for number, label in numbers if number]


def schedules(hours: OpeningHours | None, service_id: str, note: str | None = None) -> list[dict[str, Any]]:
    """One weekly schedule per run of days sharing the same times."""
    if hours is None:
        return []
    rows = []
    for first, last, spans in hours.ranges():
        for span in spans:
            days = ",".join(params.DAY_CODES[first:last + 1])
            opens = span.opens.strftime("%H:%M:%S")
            rows.append(_without_empty({
                "id": make_id(service_id, "schedule", days, span.opens.strftime("%H:%M")),
                "service_id": service_id,
                "freq": "WEEKLY",
                "interval": 1,
                "byday": days,
                "opens_at": opens,
                "closes_at": END_OF_DAY if span.closes is None else span.closes.strftime("%H:%M:%S"),
                "description": note,
            }))
    return rows


def _search_matches(haystack: str, query: str) -> bool:
    """Every word of the query appears somewhere in the entry (the directory is small: no index needed)."""
    return all(word in haystack for word in query.lower().split())


def _open_matches(hours: OpeningHours | None, filters: ServiceFilters) -> bool:
    """Open on ``day`` (any day if not given), opening at or after ``start_time`` and closing by ``end_time``.

    These are the specification's words: "a start time of at least" and "an end
    time equal to or below" the values given.
    """
    if hours is None:
        return False
    days = [params.DAY_CODES.index(filters.day)] if filters.day else range(7)
    for index in days:
        for span in hours.week[index]:
            closes = span.closes or time(23, 59, 59)
            if filters.start_time and span.opens < filters.start_time:
                continue
            if filters.end_time and closes > filters.end_time:
                continue
            return True
    return False
