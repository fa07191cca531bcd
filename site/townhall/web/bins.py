"""Bin collections: the next collections for a postcode, a printable calendar and an iCalendar feed per round.

/bin-collections?postcode=...          the round for a postcode and its next collections (htmx: the answer block)
/bin-collections/<code>/calendar       a printable A4 calendar (large text, black and white when printed)
/bin-collections/<code>/calendar.ics   the same collections as a feed residents subscribe to in their phone

Dates come from the round's data, moved as the waste team's rules say (bank
holidays, content/bin-collections.yaml); the bank holidays are the cases
domain's calendar (engines.bank_holidays()).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from .. import engines
from ..places.bincalendar import CalendarEvent, round_calendar
from ..places.collections import BinDates, Collection, collections_between, next_collections, rounds_layer
from ..places.engine import Places
from ..places.errors import PlacesError
from ..places.store import Area
from ..text import slugify
from .common import content_site, language, now, render, today
from .places import _answer, _ask

bp = Blueprint("bins", __name__)
NEXT_COUNT = 3  # collections of each bin on the answer page
CALENDAR_MONTHS = 6  # months on one printable calendar
FEED_DAYS_BACK, FEED_DAYS_AHEAD = 31, 366
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def find_round(code: str) -> Area | None:
    try:
        places = engines.places()
        layer = rounds_layer(places.layers)
        return places.area(layer, code[:40]) if layer else None
    except PlacesError:
        return None


def round_collections(area: Area, first: date, last: date) -> tuple[BinDates, ...]:
    return collections_between(area.properties, first, last, code=area.code, rules=content_site().bin_rules,
                               bank_holiday=engines.bank_holidays())


def upcoming(area: Area, count: int = NEXT_COUNT) -> tuple[BinDates, ...]:
    """The next collections of each bin, bank holidays and one-off changes applied."""
    return next_collections(area.properties, today(), count, code=area.code, rules=content_site().bin_rules,
                            bank_holiday=engines.bank_holidays())


@bp.app_template_global()
def bin_days(area: Area, count: int = 2) -> list[tuple[date, list[tuple[str, Collection]]]]:
    """The next `count` collections of each bin, by day, for "Your area"."""
    return by_day(upcoming(area, count))


def by_day(found: tuple[BinDates, ...]) -> list[tuple[date, list[tuple[str, Collection]]]]:
    """Collections in date order, the bins collected on the same day together."""
    days: dict[date, list[tuple[str, Collection]]] = {}
    for dates in found:
        for collection in dates.collections:
            days.setdefault(collection.day, []).append((dates.bin, collection))
    return sorted(days.items())


@bp.route("/bin-collections")
def collections():
    """Which round a postcode is on, its next collections, and its calendars."""
    def question(places: Places, query):
        answer = _answer(places, query)
        layer = rounds_layer(places.layers)
        match = answer.area(layer) if layer else None
        area = match.area if match else None
        return {"answer": answer, "match": match, "area": area,
                "days": by_day(upcoming(area)) if area is not None else []}

    return _ask("bins/collections.html", question)


@bp.route("/bin-collections/<code>/calendar")
def calendar(code: str):
    area = find_round(code)
    if area is None:
        abort(404)
    first = _first_month(request.args.get("from", ""))
    last = _add_months(first, CALENDAR_MONTHS) - timedelta(days=1)
    months: dict[date, list] = {}
    for day, bins in by_day(round_collections(area, first, last)):
        months.setdefault(day.replace(day=1), []).append((day, bins))
    return render("bins/calendar.html", area=area, months=sorted(months.items()), first=first, last=last,
                  earlier=_add_months(first, -CALENDAR_MONTHS), later=_add_months(first, CALENDAR_MONTHS))


@bp.route("/bin-collections/<code>/calendar.ics")
def feed(code: str) -> Response:
    area = find_round(code)
    if area is None:
        abort(404)
    day = today()
    found = round_collections(area, day - timedelta(days=FEED_DAYS_BACK), day + timedelta(days=FEED_DAYS_AHEAD))
    events = [CalendarEvent(collection, dates.bin, bin_event_title(dates.bin), moved_sentence(collection))
              for dates in found for collection in dates.collections]
    council = content_site().council
    body = round_calendar(
        events, code=area.code, lang=language(), now=now(),
        name=_("Bin collections: %(round)s", round=area.name),
        description=_("Bin collection days for %(round)s from %(council)s. Dates move for bank holidays; this "
                      "calendar updates itself.", round=area.name, council=council.name_in(language())),
        domain=urlsplit(council.website or request.host_url).hostname or "localhost",
        url=url_for("bins.calendar", code=area.code, _external=True))
    response = Response(body, mimetype="text/calendar")
    filename = slugify(f"{council.short_name} bins {area.name}", fallback="bins")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- words --------------------------------------------------------------------------------------------


@bp.app_template_global()
@bp.app_template_filter()
def bin_label(kind: str) -> str:
    return {"rubbish": _("Rubbish"), "recycling": _("Recycling")}.get(kind, kind)


@bp.app_template_filter()
def day_words(day: date, today_too: bool = True) -> str:
    """"Wednesday 2 December", and "(today)" on today's (the lorry may not have come yet)."""
    named = format_date(day, "EEEE d MMMM")
    return _("%(date)s (today)", date=named) if today_too and day == today() else named


@bp.app_template_filter()
def month_words(first: date) -> str:
    """"December 2026" in the reader's language (the month as it stands alone)."""
    return format_date(first, "LLLL y")


def bin_event_title(kind: str) -> str:
    return {"rubbish": _("Rubbish collection"), "recycling": _("Recycling collection")}.get(kind, kind)


@bp.app_template_global()
def moved_sentence(collection: Collection) -> str:
    """Why a collection is not on its usual day, in words: "Moved because of the bank holiday,
    Good Friday. Usually Friday 3 April." Empty when it is on its usual day."""
    if not collection.moved:
        return ""
    usual = format_date(collection.usual, "EEEE d MMMM")
    reason = collection.reason_in(language())
    if collection.why == "bank-holiday":
        return _("Moved because of the bank holiday, %(holiday)s. Usually %(day)s.", holiday=reason, day=usual)
    return _("Moved because of %(reason)s. Usually %(day)s.", reason=reason, day=usual)


@bp.app_template_global()
def bin_calendar_links(area: Area) -> dict[str, str]:
    """Where a round's calendars are: the printable page, the feed, and the feed for calendar apps."""
    feed_url = url_for("bins.feed", code=area.code, _external=True)
    return {"print": url_for("bins.calendar", code=area.code), "ics": url_for("bins.feed", code=area.code),
            "subscribe": "webcal://" + feed_url.split("://", 1)[1]}


def _first_month(value: str) -> date:
    """The month a printed calendar starts: ?from=YYYY-MM within two years of now, else this month."""
    this_month = today().replace(day=1)
    match = _MONTH.match(value.strip()[:7])
    if match and 1 <= int(match[2]) <= 12:
        chosen = date(int(match[1]), int(match[2]), 1)
        if abs((chosen - this_month).days) <= 2 * 366:
            return chosen
    return this_month


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
