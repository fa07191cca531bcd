"""The directory of other organisations in the Open Referral UK shape (HSDS 3 UK profile).

Each organisation becomes a `service` with its `organization`, `contacts`
(each with `phones`) and `schedules` (weekly RRULE-style opening times:
`freq`, `byday`, `opens_at`, `closes_at`), in the paginated list form the
standard's API uses (`total_items`, `total_pages`, `page_number`, `size`,
`first_page`, `last_page`, `empty`, `contents`). Identifiers are UUIDs derived
from the slug, so they stay the same between runs. No Flask here.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, Callable

from ..hours import OpeningHours
from .directory import Directory, Organisation

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://brackenford.example/directory")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def schedules(hours: OpeningHours | None, service_id: str, note: str | None = None) -> list[dict[str, Any]]:
    """One weekly schedule per run of days sharing the same times."""
    if hours is None:
        return []
    rows = []
    for first, last, spans in hours.ranges():
        for span in spans:
            days = ",".join(BYDAY[first:last + 1])
            closes = "23:59" if span.closes is None else span.closes.strftime("%H:%M")
            rows.append({
                "id": _id(service_id, "schedule", days, span.opens.strftime("%H:%M")),
                "service_id": service_id,
                "freq": "WEEKLY",
                "interval": 1,
                "byday": days,
                "opens_at": span.opens.strftime("%H:%M"),
                "closes_at": closes,
                "timezone": "Europe/London",
                "description": note or "",
            })
    return rows


def service_record(org: Organisation, page_url: str, category_title: str = "") -> dict[str, Any]:
    service_id = _id("service", org.slug)
    organization_id = _id("organization", org.slug)
    contact_id = _id("contact", org.slug)
    contact = org.contact
    numbers = [(contact.phone, "voice", "Main number"), (contact.textphone, "textphone", "Textphone or Relay UK"),
               (contact.emergency, "voice", "Emergency number")]
    numbers += [(other.phone, "voice", other.label) for other in contact.other_numbers]
    phones = [
        {"id": _id(contact_id, "phone", number), "number": number, "type": kind, "description": label}
        for number, kind, label in numbers if number
    ]
    record: dict[str, Any] = {
        "id": service_id,
        "name": org.name,
        "description": org.responsible_for,
        "url": contact.website or page_url,
        "email": contact.email or "",
        "status": "active",
        "assured_date": org.reviewed.isoformat() if org.reviewed else "",
        "eligibility_description": org.contact_when,
        "organization": {
            "id": organization_id,
            "name": org.name,
            "description": org.responsible_for,
            "email": contact.email or "",
            "website": contact.website or "",
        },
        "contacts": [{
            "id": contact_id,
            "service_id": service_id,
            "name": org.name,
            "email": contact.email or "",
            "phones": phones,
        }],
        "schedules": schedules(contact.hours, service_id, contact.hours_note),
        "attributes": [{"taxonomy_term": {"id": _id("category", org.category), "name": category_title or org.category,
                                          "vocabulary": "townhall-directory"}}],
    }
    if contact.address:
        record["organization"]["locations"] = [{
            "id": _id(organization_id, "postal"),
            "location_type": "postal",
            "name": f"{org.name} postal address",
            "addresses": [{
                "id": _id(organization_id, "postal", "address"),
                "address_type": "postal",
                "address_1": contact.address,
                "country": "GB",
            }],
        }]
    return record


def open_referral(directory: Directory, *, page: int = 1, size: int = 50,
                  page_url: Callable[[str], str] = lambda slug: f"/directory/{slug}") -> dict[str, Any]:
    organisations = sorted(directory.organisations.values(), key=lambda org: org.sort_key)
    total = len(organisations)
    pages = max(1, math.ceil(total / size))
    page = min(page, pages)
    chosen = organisations[(page - 1) * size: page * size]
    categories = directory.categories
    contents = [service_record(org, page_url(org.slug), categories[org.category].title if org.category in categories
                               else "") for org in chosen]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page == pages,
        "empty": not contents,
        "contents": contents,
    }
