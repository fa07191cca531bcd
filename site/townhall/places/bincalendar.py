"""A round's bin collections as an iCalendar feed (RFC 5545) residents subscribe to in their phone.

Each collection is an all-day event on the day the lorry really comes (bank
holidays and one-off changes applied), with a UID made from the round, the bin
and the *usual* day: when a date moves, a calendar that already has the event
updates it instead of showing it twice. The words (event titles, "moved because
of ...") come from the caller in the reader's language; this module only writes
the standard format with the maintained `icalendar` package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from .collections import BINS, Collection

PRODUCT_ID = "-//Townhall//Bin collections//EN"
BIN_ORDER = {kind: number for number, kind in enumerate(BINS)}
REFRESH = timedelta(days=1)  # how often a subscribed calendar should fetch the feed again


@dataclass(frozen=True)
class CalendarEvent:
    """One collection as a calendar shows it."""

    collection: Collection
    bin: str
    summary: str  # "Recycling collection"
    description: str = ""  # "Moved because of Good Friday: usually Friday 3 April."


def event_uid(code: str, bin_kind: str, usual: date, domain: str) -> str:
    """Stable across moves: the usual day, not the real one, names the event."""
    return f"{code.lower()}-{bin_kind}-{usual.isoformat()}@{domain}"


def round_calendar(events: Iterable[CalendarEvent], *, code: str, name: str, description: str, lang: str,
                   now: datetime, domain: str, url: str | None = None) -> bytes:
    """The feed for one round. `now` stamps every event (DTSTAMP): the moment the feed was made."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("name", name)
    calendar.add("description", description)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    if url:
        calendar.add("url", url, parameters={"VALUE": "URI"})
    stamp = now.astimezone(UTC)  # DTSTAMP is written in UTC
    for item in sorted(events, key=lambda e: (e.collection.day, BIN_ORDER.get(e.bin, 9))):
        collection = item.collection
        event = Event()
        event.add("uid", event_uid(code, item.bin, collection.usual, domain))
        event.add("dtstamp", stamp)
        event.add("dtstart", collection.day)
        event.add("dtend", collection.day + timedelta(days=1))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        event.add("transp", "TRANSPARENT")  # a bin day does not make the resident busy
        event.add("categories", [item.bin])
        if lang:
            event["summary"].params["LANGUAGE"] = lang
        calendar.add_component(event)
    return calendar.to_ical()
